package reconcile

import (
	"context"
	"strings"
	"testing"

	"settle"
	"settle/ledger"
)

// breakWith finds the break whose detail holds detail.
func breakWith(t *testing.T, s *ledger.Store, detail string) Break {
	t.Helper()
	bs, err := Breaks(context.Background(), s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if strings.Contains(b.Detail, detail) {
			return b
		}
	}
	t.Fatalf("no break with %q in %+v", detail, bs)
	return Break{}
}

// The planted findings become breaks that carry over until people close them: a
// force-match with its difference recorded, a match with a ledger movement posted
// by hand, a resolution with a reason; a movement is matched by one entry at most;
// an unmatched entry and its movement reopen and stay out of the rules' reach.
func TestBreaksAreWorkedToClosure(t *testing.T) {
	s := world(t, 1500, true)
	ctx := context.Background()
	for range 2 { // a rerun finds the same breaks, not new ones
		if _, err := Run(ctx, s, Options{Day: day, ToleranceDays: 2}); err != nil {
			t.Fatal(err)
		}
	}
	open, _ := Breaks(ctx, s, BreakOpen, "")
	if len(open) != 3 {
		t.Fatalf("%d open breaks: %+v", len(open), open)
	}
	var found int
	s.R.Get(&found, `SELECT COUNT(*) FROM break_events WHERE action = 'found'`)
	if found != 3 {
		t.Fatalf("%d found events; a rerun must not find a break twice", found)
	}
	if age := open[0].AgeOn(day.AddDays(3)); age != 3 {
		t.Fatalf("a break found on %s is %d days old three days later", day, age)
	}

	// The amount difference: its movement, the difference of 0.01 recorded.
	diff := breakWith(t, s, "the bank says")
	var tx int64
	s.R.Get(&tx, `SELECT transaction_id FROM statement_matches WHERE bank_entry_id = ?`, *diff.BankEntryID)
	if _, err := ForceMatch(ctx, s, diff.ID, []int64{tx}, "", "anna", day); settle.CodeOf(err) != settle.Invalid {
		t.Fatalf("a difference without a reason: %v", err)
	}
	if d, err := ForceMatch(ctx, s, diff.ID, []int64{tx}, "the bank rounded", "anna", day); err != nil || d != 1 {
		t.Fatalf("force-match: difference %d, %v", d, err)
	}

	// The missing movement: posted by hand, then matched to the entry.
	missing := breakWith(t, s, "no ledger movement on bank")
	bank, _ := s.AccountByCode(ctx, "partner:ACME_PAY:bank")
	susp, _ := s.AccountByCode(ctx, "partner:ACME_PAY:suspense")
	fix, _, err := s.Post(ctx, &ledger.Transaction{Key: "manual-fix", Type: "ManualCorrection", PartnerKey: "ACME_PAY", ValueDate: day, BookingDate: day,
		CreatedBy: "anna", Postings: []ledger.Posting{{AccountID: bank.ID, AmountCents: -12345}, {AccountID: susp.ID, AmountCents: 12345}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ForceMatch(ctx, s, missing.ID, []int64{fix}, "", "anna", day); err != nil {
		t.Fatal(err)
	}
	charge := breakWith(t, s, "unexpected bank charge")
	if _, err := ForceMatch(ctx, s, charge.ID, []int64{fix}, "x", "anna", day); settle.CodeOf(err) != settle.Conflict {
		t.Fatalf("a movement matched twice: %v", err)
	}
	if err := AssignBreak(ctx, s, charge.ID, "bruno", "anna"); err != nil {
		t.Fatal(err)
	}
	if err := CommentBreak(ctx, s, charge.ID, "asked the bank for the charge's invoice", "bruno"); err != nil {
		t.Fatal(err)
	}
	if err := ResolveBreak(ctx, s, charge.ID, "charge accepted, booked next month", "bruno", day); err != nil {
		t.Fatal(err)
	}
	if err := ResolveBreak(ctx, s, charge.ID, "again", "bruno", day); settle.CodeOf(err) != settle.Conflict {
		t.Fatalf("resolving twice: %v", err)
	}

	// The next reconciliation keeps the people's matches: no amount difference, the
	// missing movement matched, only the charge left on the statement.
	res, err := Run(ctx, s, Options{Day: day, ToleranceDays: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range res.Statements {
		if st.PartnerKey == "ACME_PAY" && (st.AmountDifference != 0 || st.UnmatchedBank != 1 || st.DriftCents != 1-250) {
			t.Fatalf("after the matches: %+v", st)
		}
	}
	if open, _ := Breaks(ctx, s, BreakOpen, ""); len(open) != 0 {
		t.Fatalf("open breaks left: %+v", open)
	}
	_, journal, _ := BreakByID(ctx, s, charge.ID)
	var actions []string
	for _, e := range journal {
		actions = append(actions, e.Action+" by "+e.Actor)
	}
	if got := strings.Join(actions, ", "); got != "found by reconcile, assigned by anna, commented by bruno, resolved by bruno" {
		t.Fatalf("journal: %s", got)
	}

	// Unmatching the hand-made match opens the entry and the movement again; the
	// rules leave the movement alone until a person matches it.
	freed, err := Unmatch(ctx, s, *missing.BankEntryID, "wrong movement", "bruno", day)
	if err != nil || len(freed) != 1 || freed[0] != fix {
		t.Fatalf("unmatch: %v %v", freed, err)
	}
	if _, err := Run(ctx, s, Options{Day: day, ToleranceDays: 2}); err != nil {
		t.Fatal(err)
	}
	open, _ = Breaks(ctx, s, BreakOpen, "")
	if len(open) != 2 {
		t.Fatalf("after the unmatch %d open breaks: %+v", len(open), open)
	}
	var claims int
	s.R.Get(&claims, `SELECT COUNT(*) FROM statement_matches WHERE transaction_id = ? AND how = 'unmatched'`, fix)
	if claims != 1 {
		t.Fatal("the unmatched movement went back to the rules")
	}
	entry := missing.ID // the entry's break, open again
	if _, err := ForceMatch(ctx, s, entry, []int64{fix}, "", "carla", day); err != nil {
		t.Fatalf("matching again by hand: %v", err)
	}
}

package api

import (
	"context"
	"settle"
	"time"
)

// reconciliationBreak is a reconciliation break as the API shows it, with its age.
type reconciliationBreak struct {
	ID          int64         `db:"id" json:"breakId"`
	PartnerKey  string        `db:"partner_key" json:"partnerKey"`
	Kind        string        `db:"kind" json:"kind"`
	Subject     string        `db:"subject" json:"subject"`
	BankAmount  *settle.Money `db:"bank_cents" json:"bankAmount"`
	LedgerAmt   *settle.Money `db:"ledger_cents" json:"ledgerAmount"`
	Detail      string        `db:"detail" json:"detail"`
	FirstDay    settle.Day    `db:"first_day" json:"firstDay"`
	AgeDays     int           `db:"-" json:"ageDays"`
	Status      string        `db:"status" json:"status"`
	Assignee    *string       `db:"assignee" json:"assignee"`
	Resolution  *string       `db:"resolution" json:"resolution"`
	ResolvedDay *settle.Day   `db:"resolved_day" json:"resolvedDay"`
}

// breaks lists the reconciliation breaks (open by default), oldest first, with
// their age in days today, in UTC (or at their resolution day).
func (s *Server) breaks(ctx context.Context, r *request) (any, error) {
	size, number, err := paging(r)
	if err != nil {
		return nil, err
	}
	where, args := mustScope(r, "partner_key"), partnerArgs(r)
	status := r.URL.Query().Get("status")
	if status == "" {
		status = "open"
	}
	where, args = where+" AND status = ?", append(args, status)
	p, err := pageOf[reconciliationBreak](ctx, s, `FROM breaks WHERE `+where, `SELECT id, partner_key, kind, subject, bank_cents, ledger_cents,
		detail, first_day, status, assignee, resolution, resolved_day`, `ORDER BY first_day, id`, args, size, number)
	if err != nil {
		return nil, err
	}
	today := settle.DayOf(s.store.Now(), time.UTC)
	for i := range p.Items {
		b := &p.Items[i]
		end := today
		if b.ResolvedDay != nil && b.ResolvedDay.Before(today) {
			end = *b.ResolvedDay
		}
		b.AgeDays = max(end.Sub(b.FirstDay), 0)
	}
	return p, nil
}

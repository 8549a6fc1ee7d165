package api

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"settle"
	"strings"
	"time"

	"settle/ledger"
)

// wallet is the seeds' WalletResponse.
type wallet struct {
	WalletID             string  `db:"wallet_id" json:"walletId"`
	PartnerKey           string  `db:"partner_key" json:"partnerKey"`
	TaxID                string  `db:"tax_id" json:"taxId"`
	FirstName            string  `db:"first_name" json:"firstName"`
	LastName             string  `db:"last_name" json:"lastName"`
	IBAN                 *string `db:"iban" json:"iban"`
	BIC                  *string `db:"bic" json:"bic"`
	IsIBANValidated      bool    `db:"is_iban_validated" json:"isIbanValidated"`
	IBANValidationCode   *string `db:"iban_validation_code" json:"ibanValidationCode"`
	PhoneNumber          string  `db:"phone_number" json:"phoneNumber"`
	Email                string  `db:"email" json:"email"`
	CreationDate         string  `db:"creation_date" json:"creationDate"`
	LastUpdateDate       string  `db:"last_update_date" json:"lastUpdateDate"`
	LastUsageDate        *string `db:"last_usage_date" json:"lastUsageDate"`
	ClosureDate          *string `db:"closure_date" json:"closureDate"`
	SuspensionDate       *string `db:"suspension_date" json:"suspensionDate"`
	OriginatingDealerKey string  `db:"originating_dealer_key" json:"originatingDealerKey"`
	AddressStreet        *string `db:"address_street" json:"addressStreet"`
	AddressNumber        *string `db:"address_number" json:"addressNumber"`
	ZipCode              *string `db:"zip_code" json:"zipCode"`
	City                 *string `db:"city" json:"city"`
	Province             *string `db:"province" json:"province"`
	Country              *string `db:"country" json:"country"`
	Status               string  `db:"status" json:"status"`
	Metadata             rawJSON `db:"metadata" json:"metadata"`
}

const walletCols = `wallet_id, partner_key, tax_id, first_name, last_name, iban, bic, is_iban_validated, iban_validation_code,
	phone_number, email, creation_date, last_update_date, last_usage_date, closure_date, suspension_date, originating_dealer_key,
	address_street, address_number, zip_code, city, province, country, status, metadata`

// walletFor loads a wallet the caller may see: 404 when there is none, 403 when it
// is another partner's.
func (s *Server) walletFor(ctx context.Context, r *request) (*wallet, error) {
	id := strings.ToLower(r.PathValue("walletId"))
	if !isUUID(id) {
		return nil, settle.FieldError("walletId", "%q is not a wallet id (a UUID)", r.PathValue("walletId"))
	}
	var w wallet
	if err := s.store.R.GetContext(ctx, &w, `SELECT `+walletCols+` FROM wallets WHERE wallet_id = ?`, id); err != nil {
		if isNoRows(err) {
			return nil, settle.Errorf(settle.NotFound, "wallet %s cannot be found", id)
		}
		return nil, err
	}
	if !r.who.mayAccess(w.PartnerKey) {
		return nil, forbidden()
	}
	return &w, nil
}

func (s *Server) getWallet(ctx context.Context, r *request) (any, error) { return s.walletFor(ctx, r) }

// scope is the SQL condition and argument restricting rows to the caller's partner.
func scope(r *request, col string) (string, []any) {
	if r.who.partner == nil {
		return "1 = 1", nil
	}
	return col + " = ?", []any{*r.who.partner}
}

func (s *Server) listWallets(ctx context.Context, r *request) (any, error) {
	size, number, err := paging(r)
	if err != nil {
		return nil, err
	}
	where, args := scope(r, "partner_key")
	for _, f := range []struct{ name, op string }{{"fromDate", ">="}, {"toDate", "<="}} {
		if v := r.URL.Query().Get(f.name); v != "" {
			if _, err := parseTime(v); err != nil {
				return nil, settle.FieldError(f.name, "%q is not a date-time", v)
			}
			where += " AND substr(creation_date, 1, 10) " + f.op + " substr(?, 1, 10)"
			args = append(args, v)
		}
	}
	return pageOf[wallet](ctx, s, `FROM wallets WHERE `+where, `SELECT `+walletCols, `ORDER BY creation_date, wallet_id`, args, size, number)
}

// search is the body of POST /wallets/search: missing, null, empty or blank fields
// are ignored.
type search struct {
	TaxID            *string `json:"taxId"`
	FirstName        *string `json:"firstName"`
	LastName         *string `json:"lastName"`
	PhoneNumber      *string `json:"phoneNumber"`
	Email            *string `json:"email"`
	IBAN             *string `json:"iban"`
	IsSuspended      *bool   `json:"isSuspended"`
	IsClosed         *bool   `json:"isClosed"`
	HasNeverBeenUsed *bool   `json:"hasNeverBeenUsed"`
}

func (s *Server) searchWallets(ctx context.Context, r *request) (any, error) {
	size, number, err := paging(r)
	if err != nil {
		return nil, err
	}
	var q search
	if len(strings.TrimSpace(string(r.body))) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(r.body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&q); err != nil {
			return nil, settle.FieldError("body", "not a search request: %v", err)
		}
	}
	if q.IsClosed != nil && *q.IsClosed && q.IsSuspended != nil && !*q.IsSuspended {
		return nil, settle.FieldError("isSuspended", "cannot be false when isClosed is true")
	}
	where, args := scope(r, "partner_key")
	text := func(v *string) (string, bool) {
		if v == nil || strings.TrimSpace(*v) == "" {
			return "", false
		}
		return strings.TrimSpace(*v), true
	}
	for _, f := range []struct {
		col   string
		v     *string
		exact bool
	}{{"tax_id", q.TaxID, true}, {"iban", q.IBAN, true}, {"first_name", q.FirstName, false}, {"last_name", q.LastName, false},
		{"phone_number", q.PhoneNumber, false}, {"email", q.Email, false}} {
		v, ok := text(f.v)
		if !ok {
			continue
		}
		if f.col == "iban" {
			v = strings.ReplaceAll(v, " ", "")
		}
		if f.exact {
			where += " AND lower(" + f.col + ") = lower(?)"
			args = append(args, v)
		} else {
			where += " AND " + s.store.D.Contains("lower("+f.col+")", "lower(?)")
			args = append(args, v)
		}
	}
	if q.IsSuspended != nil {
		where += map[bool]string{true: " AND status = 'Suspended'", false: " AND status <> 'Suspended'"}[*q.IsSuspended]
	}
	if q.IsClosed != nil {
		where += map[bool]string{true: " AND status = 'Closed'", false: " AND status <> 'Closed'"}[*q.IsClosed]
	}
	if q.HasNeverBeenUsed != nil && *q.HasNeverBeenUsed {
		where += " AND last_usage_date IS NULL"
	}
	return pageOf[wallet](ctx, s, `FROM wallets WHERE `+where, `SELECT `+walletCols, `ORDER BY creation_date, wallet_id`, args, size, number)
}

// pageOf counts and selects one page of rows.
func pageOf[T any](ctx context.Context, s *Server, from, sel, order string, args []any, size, number int) (*page[T], error) {
	p := &page[T]{Items: []T{}}
	if err := s.store.R.GetContext(ctx, &p.TotalCount, `SELECT COUNT(*) `+from, args...); err != nil {
		return nil, err
	}
	err := s.store.R.SelectContext(ctx, &p.Items, sel+" "+from+" "+order+" LIMIT ? OFFSET ?", append(args, size, size*number)...)
	return p, err
}

// balances returns a wallet's two buckets' balances (positive: the owner's money),
// now or, with asOf, at the end of that day by booking date.
func (s *Server) balances(ctx context.Context, walletID string, asOf settle.Day) (withdrawable, restricted int64, err error) {
	var rows []struct {
		Code  string `db:"code"`
		Cents int64  `db:"balance_cents"`
	}
	codes := []any{ledger.WalletAccountCode(walletID, ledger.BucketWithdrawable), ledger.WalletAccountCode(walletID, ledger.BucketRestricted)}
	q, args := `SELECT code, balance_cents FROM accounts WHERE code IN (?, ?)`, codes
	if !asOf.IsZero() {
		q, args = `SELECT a.code, COALESCE((SELECT SUM(p.amount_cents) FROM postings p JOIN transactions t ON t.id = p.transaction_id
			WHERE p.account_id = a.id AND t.booking_date <= ?), 0) AS balance_cents FROM accounts a WHERE a.code IN (?, ?)`, append([]any{asOf}, codes...)
	}
	if err := s.store.R.SelectContext(ctx, &rows, q, args...); err != nil {
		return 0, 0, err
	}
	for _, a := range rows {
		if strings.HasSuffix(a.Code, ":"+ledger.BucketWithdrawable) {
			withdrawable = -a.Cents
		} else {
			restricted = -a.Cents
		}
	}
	return withdrawable, restricted, nil
}

func (s *Server) walletBalance(ctx context.Context, r *request) (any, error) {
	w, err := s.walletFor(ctx, r)
	if err != nil {
		return nil, err
	}
	asOf, err := asOfDay(r)
	if err != nil {
		return nil, err
	}
	wd, rs, err := s.balances(ctx, w.WalletID, asOf)
	return balanceResponse{AvailableBalance: settle.MoneyFromCents(wd + rs)}, err
}

// asOfDay reads the asOf parameter: the end of a day (zero when absent).
func asOfDay(r *request) (settle.Day, error) {
	v := r.URL.Query().Get("asOf")
	if v == "" {
		return settle.Day{}, nil
	}
	d, err := settle.ParseDay(v)
	if err != nil {
		return d, settle.FieldError("asOf", "%q is not a day (YYYY-MM-DD)", v)
	}
	return d, nil
}

// balanceResponse is a wallet's available balance.
type balanceResponse struct {
	AvailableBalance settle.Money `json:"availableBalance"`
}

// sctInstructionsResponse is the seeds' WalletSctInstructionsResponse.
type sctInstructionsResponse struct {
	WalletID           string        `json:"walletId"`
	PartnerKey         string        `json:"partnerKey"`
	DestinationOwner   string        `json:"destinationOwner"`
	DestinationIban    string        `json:"destinationIban"`
	Reason             *string       `json:"reason"`
	AmountFirstDeposit *settle.Money `json:"amountFirstDeposit"`
}

// bucket is the seeds' BucketResponse.
type bucket struct {
	BucketID         string       `json:"bucketId"`
	WalletID         string       `json:"walletId"`
	PartnerKey       string       `json:"partnerKey"`
	AvailableBalance settle.Money `json:"availableBalance"`
	CreationDate     string       `json:"creationDate"`
	LastIncomingDate *string      `json:"lastIncomingDate"`
	LastOutgoingDate *string      `json:"lastOutgoingDate"`
	IsWithdrawable   bool         `json:"isWithdrawable"`
}

func (s *Server) buckets(ctx context.Context, r *request) (any, error) {
	w, err := s.walletFor(ctx, r)
	if err != nil {
		return nil, err
	}
	asOf, err := asOfDay(r)
	if err != nil {
		return nil, err
	}
	last := "9999-12-31" // without asOf, every booking counts
	if !asOf.IsZero() {
		last = asOf.String()
	}
	var out []bucket
	for _, b := range []string{ledger.BucketWithdrawable, ledger.BucketRestricted} {
		code := ledger.WalletAccountCode(w.WalletID, b)
		var a struct {
			ID      int64   `db:"id"`
			Cents   int64   `db:"balance_cents"`
			Created string  `db:"created_at"`
			In      *string `db:"last_in"`
			Out     *string `db:"last_out"`
		}
		q, args := `SELECT a.id, a.balance_cents, a.created_at,`, []any{}
		if !asOf.IsZero() {
			q = `SELECT a.id, COALESCE((SELECT SUM(p.amount_cents) FROM postings p JOIN transactions t ON t.id = p.transaction_id
				WHERE p.account_id = a.id AND t.booking_date <= ?), 0) AS balance_cents, a.created_at,`
			args = append(args, last)
		}
		if err := s.store.R.GetContext(ctx, &a, q+`
			(SELECT MAX(t.booking_date) FROM postings p JOIN transactions t ON t.id = p.transaction_id WHERE p.account_id = a.id AND p.amount_cents < 0
				AND t.booking_date <= ?) AS last_in,
			(SELECT MAX(t.booking_date) FROM postings p JOIN transactions t ON t.id = p.transaction_id WHERE p.account_id = a.id AND p.amount_cents > 0
				AND t.booking_date <= ?) AS last_out
			FROM accounts a WHERE a.code = ?`, append(args, last, last, code)...); err != nil {
			return nil, err
		}
		out = append(out, bucket{BucketID: nameUUID(code), WalletID: w.WalletID, PartnerKey: w.PartnerKey, AvailableBalance: settle.MoneyFromCents(-a.Cents),
			CreationDate: a.Created, LastIncomingDate: a.In, LastOutgoingDate: a.Out, IsWithdrawable: b == ledger.BucketWithdrawable})
	}
	return out, nil
}

// nameUUID is a stable UUID (version 5 layout) naming an account.
func nameUUID(name string) string {
	h := sha1.Sum([]byte("settle:" + name))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// sctInstructions tells a wallet's owner how to top it up by SCT (seed 001): while
// the IBAN is pending validation the transfer must carry the validation code (the
// ingest validates the IBAN with it, whatever the amount: amountFirstDeposit is the
// least that does, one cent); once validated, the wallet's SCT reason. A wallet with
// no IBAN has no instructions (400).
func (s *Server) sctInstructions(ctx context.Context, r *request) (any, error) {
	w, err := s.walletFor(ctx, r)
	if err != nil {
		return nil, err
	}
	if w.IBAN == nil {
		return nil, settle.FieldError("walletId", "wallet %s has no IBAN set: it cannot be topped up by SCT", w.WalletID)
	}
	var p struct {
		Owner  string  `db:"destination_owner"`
		IBAN   string  `db:"settlement_iban"`
		Reason *string `db:"sct_reason"`
	}
	err = s.store.R.GetContext(ctx, &p, `SELECT p.destination_owner, p.settlement_iban, w.sct_reason FROM partners p
		JOIN wallets w ON w.partner_key = p.partner_key WHERE w.wallet_id = ?`, w.WalletID)
	if err != nil {
		return nil, err
	}
	reason, first := p.Reason, (*settle.Money)(nil)
	if !w.IsIBANValidated {
		if w.IBANValidationCode == nil {
			return nil, settle.Errorf(settle.NotFound, "wallet %s has an IBAN pending validation but no validation code: no instructions", w.WalletID)
		}
		cent := settle.MoneyFromCents(1)
		reason, first = w.IBANValidationCode, &cent
	}
	return sctInstructionsResponse{WalletID: w.WalletID, PartnerKey: w.PartnerKey, DestinationOwner: p.Owner, DestinationIban: p.IBAN,
		Reason: reason, AmountFirstDeposit: first}, nil
}

func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

// isUUID tells the 8-4-4-4-12 hex form of a wallet id.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !('0' <= c && c <= '9' || 'a' <= c && c <= 'f'):
			return false
		}
	}
	return true
}

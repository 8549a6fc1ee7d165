package api

import (
	"context"
	"encoding/json"
	"settle"

	"settle/ledger"
)

// directDebit is a direct debit as the API shows it.
type directDebit struct {
	TopUpID        string       `db:"topup_id" json:"topUpId"`
	PartnerKey     string       `db:"partner_key" json:"partnerKey"`
	WalletID       string       `db:"wallet_id" json:"walletId"`
	MandateID      string       `db:"mandate_id" json:"mandateId"`
	Amount         settle.Money `db:"amount_cents" json:"amount"`
	RequestedDate  string       `db:"requested_date" json:"requestedCollectionDate"`
	EndToEndID     string       `db:"end_to_end_id" json:"endToEndId"`
	Status         string       `db:"status" json:"status"`
	MsgID          *string      `db:"msg_id" json:"msgId"`
	PmtInfID       *string      `db:"pmt_inf_id" json:"pmtInfId"`
	CollectionDate *string      `db:"collection_date" json:"collectionDate"`
	SequenceType   *string      `db:"sequence_type" json:"sequenceType"`
	ReasonCode     *string      `db:"reason_code" json:"reasonCode"`
	UpdatedAt      string       `db:"updated_at" json:"lastUpdateDate"`
}

const ddCols = `SELECT d.topup_id, d.partner_key, d.wallet_id, d.mandate_id, d.amount_cents, d.requested_date, d.end_to_end_id, d.status,
	b.msg_id, d.pmt_inf_id, d.collection_date, d.sequence_type, d.reason_code, d.updated_at`

// creditTransfer is a credit transfer as the API shows it.
type creditTransfer struct {
	RequestID     string       `db:"request_id" json:"requestId"`
	Kind          string       `db:"kind" json:"operationType"`
	PartnerKey    string       `db:"partner_key" json:"partnerKey"`
	WalletID      *string      `db:"wallet_id" json:"walletId"`
	CreditorName  string       `db:"creditor_name" json:"creditorName"`
	CreditorIBAN  string       `db:"creditor_iban" json:"creditorIban"`
	Amount        settle.Money `db:"amount_cents" json:"amount"`
	RequestedDate string       `db:"requested_date" json:"requestedExecutionDate"`
	EndToEndID    string       `db:"end_to_end_id" json:"endToEndId"`
	Status        string       `db:"status" json:"status"`
	MsgID         *string      `db:"msg_id" json:"msgId"`
	ExecutionDate *string      `db:"execution_date" json:"executionDate"`
	ReasonCode    *string      `db:"reason_code" json:"reasonCode"`
	UpdatedAt     string       `db:"updated_at" json:"lastUpdateDate"`
}

const ctCols = `SELECT c.request_id, c.kind, c.partner_key, c.wallet_id, c.creditor_name, c.creditor_iban, c.amount_cents, c.requested_date,
	c.end_to_end_id, c.status, b.msg_id, c.execution_date, c.reason_code, c.updated_at`

// owned is a row the API shows to its partner's keys: owner says whose it is.
type owned interface {
	owner() string
}

func (d *directDebit) owner() string    { return d.PartnerKey }
func (c *creditTransfer) owner() string { return c.PartnerKey }
func (b *batch) owner() string          { return b.PartnerKey }
func (r *reconciliation) owner() string { return r.PartnerKey }

// listOf is one page of rows.
func listOf[T any](ctx context.Context, s *Server, r *request, from, sel, order, where string, args []any) (any, error) {
	size, number, err := paging(r)
	if err != nil {
		return nil, err
	}
	return pageOf[T](ctx, s, from+" WHERE "+where, sel, order, args, size, number)
}

// oneOf is the row a query finds, if the caller may see it.
func oneOf[T any, P interface {
	*T
	owned
}](ctx context.Context, s *Server, r *request, what, query string, arg any) (any, error) {
	var v T
	if err := s.store.R.GetContext(ctx, &v, query, arg); err != nil {
		return nil, notFound(err, what)
	}
	if !r.who.mayAccess(P(&v).owner()) {
		return nil, forbidden()
	}
	return &v, nil
}

// filters adds the walletId and status query filters a list of payments takes.
func filters(r *request, alias, where string, args []any) (string, []any) {
	q := r.URL.Query()
	if v := q.Get("walletId"); v != "" {
		where, args = where+" AND "+alias+".wallet_id = ?", append(args, v)
	}
	if v := q.Get("status"); v != "" {
		where, args = where+" AND "+alias+".status = ?", append(args, v)
	}
	return where, args
}

func (s *Server) listDirectDebits(ctx context.Context, r *request) (any, error) {
	where, args := filters(r, "d", mustScope(r, "d.partner_key"), partnerArgs(r))
	return listOf[directDebit](ctx, s, r, `FROM direct_debits d LEFT JOIN batches b ON b.id = d.batch_id`, ddCols, `ORDER BY d.id`, where, args)
}

func (s *Server) getDirectDebit(ctx context.Context, r *request) (any, error) {
	return oneOf[directDebit](ctx, s, r, "direct debit", ddCols+` FROM direct_debits d LEFT JOIN batches b ON b.id = d.batch_id
		WHERE d.end_to_end_id = ?`, r.PathValue("endToEndId"))
}

func (s *Server) listCreditTransfers(ctx context.Context, r *request) (any, error) {
	where, args := filters(r, "c", mustScope(r, "c.partner_key"), partnerArgs(r))
	return listOf[creditTransfer](ctx, s, r, `FROM credit_transfers c LEFT JOIN batches b ON b.id = c.batch_id`, ctCols, `ORDER BY c.id`, where, args)
}

func (s *Server) getCreditTransfer(ctx context.Context, r *request) (any, error) {
	return oneOf[creditTransfer](ctx, s, r, "credit transfer", ctCols+` FROM credit_transfers c LEFT JOIN batches b ON b.id = c.batch_id
		WHERE c.end_to_end_id = ?`, r.PathValue("endToEndId"))
}

// batch is an outgoing batch as the API shows it.
type batch struct {
	MsgID      string       `db:"msg_id" json:"msgId"`
	Kind       string       `db:"kind" json:"kind"`
	PartnerKey string       `db:"partner_key" json:"partnerKey"`
	Message    string       `db:"message" json:"message"`
	FileName   string       `db:"file_name" json:"fileName"`
	SHA256     string       `db:"sha256" json:"sha256"`
	NbOfTxs    int64        `db:"nb_of_txs" json:"nbOfTxs"`
	CtrlSum    settle.Money `db:"ctrl_sum_cents" json:"ctrlSum"`
	Status     string       `db:"status" json:"status"`
	Flagged    *string      `db:"flagged" json:"flagged"`
	CreatedAt  string       `db:"created_at" json:"createdAt"`
	SentAt     *string      `db:"sent_at" json:"sentAt"`
	Settled    int64        `db:"settled_txs" json:"settledTxs"`
	Rejected   int64        `db:"rejected_txs" json:"rejectedTxs"`
	Returned   int64        `db:"returned_txs" json:"returnedTxs"`
	SettledAt  *string      `db:"settled_at" json:"settledAt"`
}

const batchCols = `SELECT msg_id, kind, partner_key, message, file_name, sha256, nb_of_txs, ctrl_sum_cents, status, flagged, created_at, sent_at,
	settled_txs, rejected_txs, returned_txs, settled_at`

func (s *Server) listBatches(ctx context.Context, r *request) (any, error) {
	where, args := mustScope(r, "partner_key"), partnerArgs(r)
	if v := r.URL.Query().Get("status"); v != "" {
		where, args = where+" AND status = ?", append(args, v)
	}
	return listOf[batch](ctx, s, r, `FROM batches`, batchCols, `ORDER BY id DESC`, where, args)
}

func (s *Server) getBatch(ctx context.Context, r *request) (any, error) {
	return oneOf[batch](ctx, s, r, "batch", batchCols+` FROM batches WHERE msg_id = ?`, r.PathValue("msgId"))
}

// mustScope is scope's condition alone; partnerArgs its arguments.
func mustScope(r *request, col string) string {
	where, _ := scope(r, col)
	return where
}

func partnerArgs(r *request) []any {
	_, args := scope(r, "")
	return args
}

func notFound(err error, what string) error {
	if isNoRows(err) {
		return settle.Errorf(settle.NotFound, "%s cannot be found", what)
	}
	return err
}

// reconciliation is a statement's reconciliation as the API shows it.
type reconciliation struct {
	Day             string       `db:"day" json:"day"`
	PartnerKey      string       `db:"partner_key" json:"partnerKey"`
	Account         string       `db:"account" json:"account"`
	StatementID     string       `db:"statement_id" json:"statementId"`
	Status          string       `db:"status" json:"status"`
	Matched         int64        `db:"matched" json:"matched"`
	UnmatchedBank   int64        `db:"unmatched_bank" json:"unmatchedBank"`
	UnmatchedLedger int64        `db:"unmatched_ledger" json:"unmatchedLedger"`
	AmountDiffs     int64        `db:"amount_differences" json:"amountDifferences"`
	ContinuityOK    bool         `db:"continuity_ok" json:"continuityOk"`
	ArithmeticOK    bool         `db:"arithmetic_ok" json:"arithmeticOk"`
	Drift           settle.Money `db:"drift_cents" json:"drift"`
}

func (s *Server) reconciliations(ctx context.Context, r *request) (any, error) {
	where, args := mustScope(r, "r.partner_key"), partnerArgs(r)
	if v := r.URL.Query().Get("date"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return nil, settle.FieldError("date", "%q is not a date", v)
		}
		where, args = where+" AND r.day = ?", append(args, t.Format("2006-01-02"))
	}
	return listOf[reconciliation](ctx, s, r, `FROM reconciliations r JOIN bank_statements bs ON bs.id = r.statement_id`,
		`SELECT r.day, r.partner_key, bs.account, bs.statement_id, r.status, r.matched, r.unmatched_bank, r.unmatched_ledger,
		r.amount_differences, r.continuity_ok, r.arithmetic_ok, r.drift_cents`, `ORDER BY r.day DESC, r.partner_key, r.id`, where, args)
}

// exception is an exception of the queue as the API shows it.
type exception struct {
	ID         int64       `db:"id" json:"exceptionId"`
	Reason     string      `db:"reason" json:"reason"`
	Status     string      `db:"status" json:"status"`
	PartnerKey *string     `db:"partner_key" json:"partnerKey"`
	WalletID   *string     `db:"wallet_id" json:"walletId"`
	Amount     json.Number `db:"amount" json:"amount"`
	Currency   string      `db:"currency" json:"currency"`
	InSuspense bool        `db:"in_suspense" json:"inSuspense"`
	Detail     string      `db:"detail" json:"detail"`
	CreatedAt  string      `db:"created_at" json:"createdAt"`
}

func (s *Server) exceptions(ctx context.Context, r *request) (any, error) {
	size, number, err := paging(r)
	if err != nil {
		return nil, err
	}
	where, args := mustScope(r, "partner_key"), partnerArgs(r)
	if v := r.URL.Query().Get("status"); v != "" {
		where, args = where+" AND status = ?", append(args, v)
	}
	return pageOf[exception](ctx, s, `FROM exceptions WHERE `+where, `SELECT id, reason, status, partner_key, wallet_id,
		CASE WHEN amount <> '' THEN amount ELSE `+ledger.SQLCents("amount_cents")+` END AS amount, currency, in_suspense, detail, created_at`,
		`ORDER BY id`, args, size, number)
}

// jobRun is a run of the journal.
type jobRun struct {
	ID         int64   `db:"id" json:"runId"`
	Job        string  `db:"job" json:"job"`
	Date       *string `db:"run_date" json:"date"`
	DryRun     bool    `db:"dry_run" json:"dryRun"`
	Status     string  `db:"status" json:"status"`
	StartedAt  string  `db:"started_at" json:"startedAt"`
	FinishedAt *string `db:"finished_at" json:"finishedAt"`
	Summary    rawJSON `db:"summary" json:"summary"`
	Error      string  `db:"error" json:"error"`
}

func (s *Server) jobRuns(ctx context.Context, r *request) (any, error) {
	if r.who.partner != nil {
		return nil, forbidden() // the journal is the platform's
	}
	size, number, err := paging(r)
	if err != nil {
		return nil, err
	}
	return pageOf[jobRun](ctx, s, `FROM job_runs`, `SELECT id, job, run_date, dry_run, status, started_at, finished_at, summary, error`,
		`ORDER BY id DESC`, nil, size, number)
}

// diagnosticsResponse is the seeds' DiagnosticsResponse.
type diagnosticsResponse struct {
	ApplicationName    string `json:"applicationName"`
	ApplicationVersion string `json:"applicationVersion"`
	Environment        string `json:"environment"`
}

func (s *Server) diagnostics(ctx context.Context, r *request) (any, error) {
	return diagnosticsResponse{ApplicationName: "settle", ApplicationVersion: s.version, Environment: "production"}, nil
}

// featuresResponse is the seeds' FeaturesStatusResponse.
type featuresResponse struct {
	ServiceData    []diagnosticsResponse `json:"serviceData"`
	FeaturesStatus []featureAvailability `json:"featuresStatus"`
}

// featureAvailability is the seeds' FeatureAvailability.
type featureAvailability struct {
	Name        string `json:"name"`
	IsAvailable bool   `json:"isAvailable"`
}

// features tells what works now: reads (the database answers) and each nightly job
// (its last run did not fail; a job never run is not available yet).
func (s *Server) features(ctx context.Context, r *request) (any, error) {
	var one int
	reads := s.store.R.GetContext(ctx, &one, `SELECT 1`) == nil
	out := featuresResponse{ServiceData: []diagnosticsResponse{{ApplicationName: "settle", ApplicationVersion: s.version, Environment: "production"}},
		FeaturesStatus: []featureAvailability{{Name: "reads", IsAvailable: reads}}}
	for _, job := range []string{"ingest", "sdd-batch", "sct-batch", "release-funds", "fee-totals", "reconcile", "reports", "nightly"} {
		var status string
		err := s.store.R.GetContext(ctx, &status, `SELECT status FROM job_runs WHERE job = ? AND NOT dry_run ORDER BY id DESC LIMIT 1`, job)
		ok := err == nil && status != "failed" && status != "interrupted"
		out.FeaturesStatus = append(out.FeaturesStatus, featureAvailability{Name: job, IsAvailable: reads && ok})
	}
	return out, nil
}

// healthResponse says the database answers.
type healthResponse struct {
	Status string `json:"status"`
}

func (s *Server) health(ctx context.Context, r *request) (any, error) {
	var one int
	if err := s.store.R.GetContext(ctx, &one, `SELECT 1`); err != nil {
		return nil, err
	}
	return healthResponse{Status: "ok"}, nil
}

// ready answers 200 only when the database answers and this build has no migration
// the database lacks (a binary upgraded before `settle migrate` is not ready).
func (s *Server) ready(ctx context.Context, r *request) (any, error) {
	pending, err := s.store.PendingMigrations(ctx)
	if err != nil {
		return nil, settle.Errorf(settle.Unavailable, "the database does not answer: %v", err)
	}
	if len(pending) > 0 {
		return nil, settle.Errorf(settle.Unavailable, "%d migrations are pending (%s): run settle migrate", len(pending), pending[0])
	}
	return healthResponse{Status: "ready"}, nil
}

package api

import (
	"settle"
	"slices"
	"sort"

	"settle/ledger"
	"settle/ledger/payments"
)

// route is one endpoint: the table below registers it, checks its query parameters
// and documents it in /openapi.json, so the document cannot drift from what is served.
type route struct {
	method, pattern string
	id              string // the document's operationId
	summary         string
	query           []param // the query parameters it reads; any other is a 400
	body            any     // a POST's request body, for the document
	out             any     // a value of the type it answers with, for the document
	public          bool    // no signature (health, the API document)
	h               handler
}

// param is a query parameter: its name, its type in the document (string, integer,
// boolean, date, date-time) and, for an enumeration, its values (any other is a 400).
type param struct {
	name, kind string
	enum       []string
	required   bool
}

func text(name string) param     { return param{name: name, kind: "string"} }
func date(name string) param     { return param{name: name, kind: "date"} }
func dateTime(name string) param { return param{name: name, kind: "date-time"} }
func enum(name string, values ...string) param {
	return param{name: name, kind: "string", enum: values}
}
func required(p param) param { p.required = true; return p }

var paged = []param{{name: "pageSize", kind: "integer"}, {name: "pageNumber", kind: "integer"}}

func withPaging(ps ...param) []param { return append(ps, paged...) }

var (
	paymentStatuses   = []string{payments.PayCreated, payments.PayBatched, payments.PaySent, payments.PaySettled, payments.PayRejected, payments.PayReturned, payments.PayRefunded, payments.PayCancelled}
	batchStatuses     = []string{payments.BatchBatched, payments.BatchSent, payments.BatchSettled, payments.BatchRejected, payments.BatchCancelled}
	exceptionStatuses = []string{ledger.ExceptionOpen, ledger.ExceptionAssigned, ledger.ExceptionRefunded, ledger.ExceptionWrittenOff}
	operationStatuses = []string{ledger.StatusPending, ledger.StatusCompleted, ledger.StatusFailed}
	operationTypes    = []string{"CashDeposit", "CashWithdrawal", "Payment"}
)

func (s *Server) routes() []route {
	return []route{
		{method: "GET", pattern: "/healthz", id: "health", summary: "liveness: the database answers", public: true, out: healthResponse{}, h: s.health},
		{method: "GET", pattern: "/readyz", id: "ready", summary: "readiness: the database answers and no migration is pending (503 otherwise)", public: true, out: healthResponse{}, h: s.ready},
		{method: "GET", pattern: "/openapi.json", id: "openApi", summary: "this API's OpenAPI 3 document", public: true, out: map[string]any{}, h: s.openAPI},
		{method: "GET", pattern: "/diagnostics/info", id: "getDiagnosticsInfo", summary: "application name, version and environment", out: diagnosticsResponse{}, h: s.diagnostics},
		{method: "GET", pattern: "/diagnostics/features", id: "getFeaturesStatus", summary: "what works now: reads, and each nightly job (its last run did not fail)", out: featuresResponse{}, h: s.features},
		{method: "GET", pattern: "/wallets", id: "listWallets", summary: "wallets created between fromDate and toDate", query: withPaging(dateTime("fromDate"), dateTime("toDate")), out: page[wallet]{}, h: s.listWallets},
		{method: "POST", pattern: "/wallets/search", id: "searchWallets", summary: "search wallets (taxId and iban exact, names, phone and e-mail contain; flags)", query: paged, body: search{}, out: page[wallet]{}, h: s.searchWallets},
		{method: "GET", pattern: "/wallets/{walletId}", id: "getWallet", summary: "a wallet", out: wallet{}, h: s.getWallet},
		{method: "GET", pattern: "/wallets/{walletId}/balance", id: "getWalletBalance", summary: "a wallet's available balance, now or at the end of the day asOf", query: []param{date("asOf")}, out: balanceResponse{}, h: s.walletBalance},
		{method: "GET", pattern: "/wallets/{walletId}/limits", id: "getWalletLimits", summary: "a wallet's limits with their current use", out: limitsResponse{}, h: s.walletLimits},
		{method: "GET", pattern: "/wallets/{walletId}/sct/instructions", id: "getWalletSctInstructions", summary: "how to top the wallet up by SCT", out: sctInstructionsResponse{}, h: s.sctInstructions},
		{method: "GET", pattern: "/wallets/{walletId}/statements", id: "getWalletStatements", summary: "a wallet's movements",
			query: withPaging(enum("direction", "in", "out"), date("from"), date("to"), text("type"), date("asOf")), out: page[movement]{}, h: s.statements},
		{method: "GET", pattern: "/buckets/{walletId}", id: "getBuckets", summary: "a wallet's buckets, now or at the end of the day asOf", query: []param{date("asOf")}, out: []bucket{}, h: s.buckets},
		{method: "GET", pattern: "/statistics/wallets", id: "getPartnerWalletsStatistics", summary: "the partner's wallets in figures", query: []param{text("partnerKey")}, out: statistics{}, h: s.partnerStatistics},
		{method: "GET", pattern: "/statistics/wallets/{dealerKey}", id: "getDealerWalletsStatistics", summary: "an originating dealer's wallets in figures", out: statistics{}, h: s.dealerStatistics},
		{method: "GET", pattern: "/stores/totals", id: "getStoresTotals", summary: "each store's operations of a day by type",
			query: withPaging(required(text("dealerKey")), enum("operationStatus", operationStatuses...), date("date")), out: page[storeAmounts]{}, h: s.storeTotals},
		{method: "GET", pattern: "/fees/totals", id: "getFeesTotals", summary: "the fee shares of operations",
			query: []param{required(enum("operationType", operationTypes...)), required(enum("operationStatus", operationStatuses...)), required(dateTime("fromDate")),
				required(dateTime("toDate")), required(enum("feeDebtor", "Customer", "Store", "None")), text("dealerKey"), text("storeId")}, out: feeTotalsResponse{}, h: s.feeTotals},
		{method: "GET", pattern: "/direct-debits", id: "listDirectDebits", summary: "direct debits (SDD top-ups)", query: withPaging(text("walletId"), enum("status", paymentStatuses...)), out: page[directDebit]{}, h: s.listDirectDebits},
		{method: "GET", pattern: "/direct-debits/{endToEndId}", id: "getDirectDebit", summary: "a direct debit", out: directDebit{}, h: s.getDirectDebit},
		{method: "GET", pattern: "/credit-transfers", id: "listCreditTransfers", summary: "credit transfers (payouts, refunds, fee payouts)", query: withPaging(text("walletId"), enum("status", paymentStatuses...)), out: page[creditTransfer]{}, h: s.listCreditTransfers},
		{method: "GET", pattern: "/credit-transfers/{endToEndId}", id: "getCreditTransfer", summary: "a credit transfer", out: creditTransfer{}, h: s.getCreditTransfer},
		{method: "GET", pattern: "/reports/{day}", id: "getSettlementPage", summary: "the day's settlement page (HTML): a partner's own, or the platform's of every partner or of partnerKey",
			query: []param{text("partnerKey")}, out: htmlPage{}, h: s.settlementPage},
		{method: "GET", pattern: "/batches", id: "listBatches", summary: "outgoing batches with what became of their transactions", query: withPaging(enum("status", batchStatuses...)), out: page[batch]{}, h: s.listBatches},
		{method: "GET", pattern: "/batches/{msgId}", id: "getBatch", summary: "a batch", out: batch{}, h: s.getBatch},
		{method: "GET", pattern: "/reconciliations", id: "listReconciliations", summary: "statement reconciliations", query: withPaging(date("date")), out: page[reconciliation]{}, h: s.reconciliations},
		{method: "GET", pattern: "/reconciliations/breaks", id: "listReconciliationBreaks", summary: "reconciliation breaks with their age in days, oldest first (open by default)",
			query: withPaging(enum("status", "open", "resolved")), out: page[reconciliationBreak]{}, h: s.breaks},
		{method: "GET", pattern: "/exceptions", id: "listExceptions", summary: "the exception queue", query: withPaging(enum("status", exceptionStatuses...)), out: page[exception]{}, h: s.exceptions},
		{method: "GET", pattern: "/jobs/runs", id: "listJobRuns", summary: "the job journal (platform keys only)", query: paged, out: page[jobRun]{}, h: s.jobRuns},
	}
}

// checkQuery refuses a query parameter the route does not read, one given twice, and
// a value outside an enumeration, naming the parameter (400). Each handler parses its
// own values further (dates, numbers).
func (rt route) checkQuery(r *request) error {
	for name, values := range r.URL.Query() {
		var p *param
		for j := range rt.query {
			if rt.query[j].name == name {
				p = &rt.query[j]
			}
		}
		switch {
		case p == nil:
			return settle.FieldError(name, "%s %s reads no parameter %q%s", rt.method, rt.pattern, name, reads(rt.query))
		case len(values) > 1:
			return settle.FieldError(name, "is given %d times", len(values))
		case p.enum != nil && values[0] != "" && !slices.Contains(p.enum, values[0]):
			return settle.FieldError(name, "%q is not one of %v", values[0], p.enum)
		}
	}
	return nil
}

func reads(ps []param) string {
	if len(ps) == 0 {
		return ""
	}
	out := "; it reads"
	for i, p := range ps {
		if i > 0 {
			out += ","
		}
		out += " " + p.name
	}
	return out
}

// Patterns lists "METHOD pattern" of every registered route, sorted (for tests and docs).
func (s *Server) Patterns() []string {
	var out []string
	for _, r := range s.routes() {
		out = append(out, r.method+" "+r.pattern)
	}
	sort.Strings(out)
	return out
}

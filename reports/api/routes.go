package api

import (
	"context"
	"regexp"
	"sort"
	"strings"
)

// route is one endpoint: the table below registers it, checks it, and documents it
// in /openapi.json, so the document cannot drift from what is served.
type route struct {
	method, pattern string
	summary         string
	query           []string // query parameters it reads
	public          bool     // no signature (health, the API document)
	h               handler
}

func (s *Server) routes() []route {
	return []route{
		{method: "GET", pattern: "/healthz", summary: "liveness: the database answers", public: true, h: s.health},
		{method: "GET", pattern: "/openapi.json", summary: "this API's OpenAPI 3 document", public: true, h: s.openAPI},
		{method: "GET", pattern: "/diagnostics/info", summary: "application name, version and environment", h: s.diagnostics},
		{method: "GET", pattern: "/wallets", summary: "wallets created between fromDate and toDate", query: []string{"fromDate", "toDate", "pageSize", "pageNumber"}, h: s.listWallets},
		{method: "POST", pattern: "/wallets/search", summary: "search wallets (taxId and iban exact, names, phone and e-mail contain; flags)", query: []string{"pageSize", "pageNumber"}, h: s.searchWallets},
		{method: "GET", pattern: "/wallets/{walletId}", summary: "a wallet", h: s.getWallet},
		{method: "GET", pattern: "/wallets/{walletId}/balance", summary: "a wallet's available balance", h: s.walletBalance},
		{method: "GET", pattern: "/wallets/{walletId}/limits", summary: "a wallet's limits with their current use", h: s.walletLimits},
		{method: "GET", pattern: "/wallets/{walletId}/sct/instructions", summary: "how to top the wallet up by SCT", h: s.sctInstructions},
		{method: "GET", pattern: "/wallets/{walletId}/statements", summary: "a wallet's movements", query: []string{"direction", "from", "to", "type", "pageSize", "pageNumber"}, h: s.statements},
		{method: "GET", pattern: "/buckets/{walletId}", summary: "a wallet's buckets", h: s.buckets},
		{method: "GET", pattern: "/statistics/wallets", summary: "the partner's wallets in figures", query: []string{"partnerKey"}, h: s.partnerStatistics},
		{method: "GET", pattern: "/statistics/wallets/{dealerKey}", summary: "an originating dealer's wallets in figures", h: s.dealerStatistics},
		{method: "GET", pattern: "/stores/totals", summary: "each store's operations of a day by type", query: []string{"dealerKey", "operationStatus", "date", "pageSize", "pageNumber"}, h: s.storeTotals},
		{method: "GET", pattern: "/fees/totals", summary: "the fee shares of operations", query: []string{"operationType", "operationStatus", "fromDate", "toDate", "feeDebtor", "dealerKey", "storeId"}, h: s.feeTotals},
		{method: "GET", pattern: "/direct-debits", summary: "direct debits (SDD top-ups)", query: []string{"walletId", "status", "pageSize", "pageNumber"}, h: s.listDirectDebits},
		{method: "GET", pattern: "/direct-debits/{endToEndId}", summary: "a direct debit", h: s.getDirectDebit},
		{method: "GET", pattern: "/credit-transfers", summary: "credit transfers (payouts, refunds, fee payouts)", query: []string{"walletId", "status", "pageSize", "pageNumber"}, h: s.listCreditTransfers},
		{method: "GET", pattern: "/credit-transfers/{endToEndId}", summary: "a credit transfer", h: s.getCreditTransfer},
		{method: "GET", pattern: "/batches", summary: "outgoing batches", query: []string{"status", "pageSize", "pageNumber"}, h: s.listBatches},
		{method: "GET", pattern: "/batches/{msgId}", summary: "a batch", h: s.getBatch},
		{method: "GET", pattern: "/reconciliations", summary: "statement reconciliations", query: []string{"date", "pageSize", "pageNumber"}, h: s.reconciliations},
		{method: "GET", pattern: "/exceptions", summary: "the exception queue", query: []string{"status", "pageSize", "pageNumber"}, h: s.exceptions},
		{method: "GET", pattern: "/jobs/runs", summary: "the job journal (platform keys only)", query: []string{"pageSize", "pageNumber"}, h: s.jobRuns},
	}
}

var pathParam = regexp.MustCompile(`\{([a-zA-Z]+)\}`)

// openAPI is the API document, built from the route table.
func (s *Server) openAPI(context.Context, *request) (any, error) {
	paths := map[string]map[string]any{}
	for _, rt := range s.routes() {
		var params []map[string]any
		for _, m := range pathParam.FindAllStringSubmatch(rt.pattern, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]string{"type": "string"}})
		}
		for _, q := range rt.query {
			params = append(params, map[string]any{"name": q, "in": "query", "required": false, "schema": map[string]string{"type": "string"}})
		}
		op := map[string]any{"summary": rt.summary, "parameters": params, "responses": map[string]any{
			"200": map[string]string{"description": "OK"}, "400": map[string]string{"description": "a bad parameter, named in errorProperties"},
			"401": map[string]string{"description": "not signed by a valid key"}, "403": map[string]string{"description": "another partner's data"},
			"404": map[string]string{"description": "not found"}}}
		if rt.method == "POST" {
			op["requestBody"] = map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]string{"type": "object"}}}}
		}
		if !rt.public {
			op["security"] = []map[string][]string{{"Key": {}, "Timestamp": {}, "Sign": {}}}
		}
		if paths[rt.pattern] == nil {
			paths[rt.pattern] = map[string]any{}
		}
		paths[rt.pattern][strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]string{"title": "settle read-only API", "version": s.version,
			"description": "Signed requests: headers Key, Timestamp (unix ms, within 3 minutes) and Sign = hex(HMAC-SHA256(secret, METHOD\\npath?query\\nTimestamp\\nhex(sha256(body))))."},
		"components": map[string]any{"securitySchemes": map[string]any{
			"Key":       map[string]string{"type": "apiKey", "in": "header", "name": "Key"},
			"Timestamp": map[string]string{"type": "apiKey", "in": "header", "name": "Timestamp"},
			"Sign":      map[string]string{"type": "apiKey", "in": "header", "name": "Sign"}}},
		"paths": paths,
	}, nil
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

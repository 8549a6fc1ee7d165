package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Regression (issue 15): /openapi.json had "parameters": null and no response
// schemas. It is validated with kin-openapi, and every answer the other API tests
// would check is validated against it: a route's 200 against its schema.
func TestOpenAPIIsValidAndDescribesTheAnswers(t *testing.T) {
	w := newWorld(t)
	a := w.call(t, "GET", "/openapi.json", "", [2]string{})
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(a.body))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the served document is not valid OpenAPI 3: %v", err)
	}
	for _, p := range w.srv.Patterns() {
		method, path, _ := strings.Cut(p, " ")
		op := doc.Paths.Find(path).GetOperation(method)
		if op == nil || op.OperationID == "" || op.Responses.Value("200") == nil || op.Responses.Value("400") == nil {
			t.Errorf("%s: no operationId or responses", p)
		}
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = nil
	for _, target := range []string{"/healthz", "/diagnostics/info", "/diagnostics/features", "/wallets?fromDate=2026-01-01T00:00:00Z&toDate=2026-12-31T00:00:00Z",
		"/wallets/" + mario, "/wallets/" + mario + "/balance", "/wallets/" + mario + "/limits", "/wallets/" + polifemo + "/sct/instructions",
		"/wallets/" + mario + "/statements?direction=in", "/buckets/" + mario, "/statistics/wallets", "/statistics/wallets/NOME_DEALER",
		"/stores/totals?dealerKey=NOME_DEALER", "/direct-debits?status=Created", "/credit-transfers", "/batches?status=Settled", "/reconciliations",
		"/exceptions?status=open", "/jobs/runs", "/fees/totals?operationType=CashDeposit&operationStatus=Completed&fromDate=2026-11-01T00:00:00Z&toDate=2026-11-30T00:00:00Z&feeDebtor=Customer",
		"/wallets/not-a-uuid"} {
		got := w.call(t, "GET", target, "", w.platfm)
		req, _ := http.NewRequest("GET", "http://localhost"+target, nil)
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: got.code,
			Header: http.Header{"Content-Type": {"application/json"}}, Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		out.SetBodyBytes([]byte(got.body))
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("%s (%d): the answer does not match the document: %v\n%s", target, got.code, err, got.body)
		}
	}
	// The check can fail: a balance given as text does not match.
	req, _ := http.NewRequest("GET", "http://localhost/wallets/"+mario+"/balance", nil)
	route, params, _ := router.FindRoute(req)
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: 200, Header: http.Header{"Content-Type": {"application/json"}}}
	out.SetBodyBytes([]byte(`{"availableBalance":"123.45"}`))
	if openapi3filter.ValidateResponse(context.Background(), out) == nil {
		t.Error("a balance as text passed the document's schema")
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(a.body), &raw); err != nil || strings.Contains(a.body, `"parameters":null`) {
		t.Errorf(`the document: %v, or "parameters": null in it`, err)
	}
}

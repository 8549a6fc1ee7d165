package api

import (
	"bytes"
	"context"
	"net/http"
	"settle"

	"settle/reports"
)

// htmlPage is an answer written as an HTML document rather than JSON.
type htmlPage []byte

func writeHTML(w http.ResponseWriter, page htmlPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	w.WriteHeader(http.StatusOK)
	w.Write(page)
}

// settlementPage is the daily settlement page of a day: a partner's key sees its own
// partner's page (partnerKey, if given, must be its own); the platform's key sees
// every partner, or the one partnerKey names.
func (s *Server) settlementPage(ctx context.Context, r *request) (any, error) {
	day, err := settle.ParseDay(r.PathValue("day"))
	if err != nil {
		return nil, settle.FieldError("day", "%q is not a day (YYYY-MM-DD)", r.PathValue("day"))
	}
	scope := r.URL.Query().Get("partnerKey")
	if r.who.partner != nil {
		if scope != "" && scope != *r.who.partner {
			return nil, forbidden()
		}
		scope = *r.who.partner
	}
	var b bytes.Buffer
	if err := reports.WritePage(ctx, s.store, day, scope, &b); err != nil {
		return nil, err
	}
	return htmlPage(b.Bytes()), nil
}

// Package api is settle's read-only HTTP API over the ledger (DESIGN: Read-only HTTP
// API): signed requests, partner isolation, the seeds' field names and envelopes.
package api

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"settle"
	"strconv"
	"time"

	"settle/ledger"
)

// Limits of a request.
const (
	MaxBody         = 64 << 10 // bytes
	DefaultPageSize = 50
	MaxPageSize     = 500
	MaxPageNumber   = 10_000_000 // pageSize × pageNumber stays far from overflowing
	RequestTimeout  = 10 * time.Second
)

// Server serves the API over a read-only store.
type Server struct {
	store     *ledger.Store
	serverKey []byte
	log       *slog.Logger
	now       func() time.Time
	replays   replays
	keys      keyCache
	mux       *http.ServeMux
	version   string
	metrics   *serverMetrics
	timeout   time.Duration // a request's time limit, RequestTimeout
}

// NewServer returns the API over s; serverKey decrypts the API secrets.
func NewServer(s *ledger.Store, serverKey []byte, log *slog.Logger, version string) *Server {
	srv := &Server{store: s, serverKey: serverKey, log: log, now: s.Clock.Now, mux: http.NewServeMux(), version: version,
		metrics: newServerMetrics(s), timeout: RequestTimeout}
	for _, r := range srv.routes() {
		srv.mux.Handle(r.method+" "+r.pattern, srv.wrap(r))
	}
	srv.mux.Handle("GET /metrics", srv.metrics.handler())
	srv.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.URL.Path, nil)
	})
	return srv
}

// Handler is the API with its time limit. The API is read-only: any method but GET
// and HEAD is 405, except POST /wallets/search, a query with a body.
func (s *Server) Handler() http.Handler {
	guard := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !(r.Method == http.MethodPost && r.URL.Path == "/wallets/search") {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed: the API is read-only", nil)
			return
		}
		s.mux.ServeHTTP(w, r)
	})
	return s.accessLog(s.withDeadline(guard))
}

// withDeadline gives a request the server's time limit: its queries stop at the
// deadline and the caller gets 503 timeout (Server.fail). The handler runs on the
// connection's goroutine, unlike under http.TimeoutHandler, which starts one per
// request and buffers the whole answer: that was a third of a wallet read's CPU.
func (s *Server) withDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// request is what a handler gets: the caller, the path values, the query and body.
type request struct {
	*http.Request
	who  caller
	body []byte
}

// handler answers a request with a value to write as JSON, or an error.
type handler func(ctx context.Context, r *request) (any, error)

// wrap reads the body (bounded), checks the signature unless the route is public,
// runs the handler and writes its answer or its error.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, hr *http.Request) {
		w.Header().Set("Settle-Version", s.version)
		body, err := io.ReadAll(http.MaxBytesReader(w, hr.Body, MaxBody))
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", "the body is over 64 KiB", nil)
			return
		}
		req := &request{Request: hr, body: body}
		noteRoute(hr.Context(), rt.pattern, "")
		if !rt.public {
			who, why, err := s.authenticate(hr.Context(), hr.Header.Get("Key"), hr.Header.Get("Timestamp"), hr.Header.Get("Sign"),
				hr.Method, hr.URL.RequestURI(), body)
			if err != nil { // the server failed, not the caller: 503 timeout or 500
				s.fail(w, err)
				return
			}
			if why != "" {
				s.metrics.authFailed(why)
				if s.log != nil {
					s.log.Warn("authentication failed", "route", rt.pattern, "keyId", hr.Header.Get("Key"), "reason", why)
				}
				writeError(w, http.StatusUnauthorized, "unauthorized", "the request is not signed by a valid key within the time window", nil)
				return
			}
			req.who = who
			noteRoute(hr.Context(), rt.pattern, who.keyID)
		}
		if err := rt.checkQuery(req); err != nil {
			s.fail(w, err)
			return
		}
		out, err := rt.h(hr.Context(), req)
		if err != nil {
			s.fail(w, err)
			return
		}
		if page, ok := out.(htmlPage); ok {
			writeHTML(w, page)
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// errorModel is the seeds' ErrorModel.
type errorModel struct {
	ErrorCode        string            `json:"errorCode"`
	ErrorDescription string            `json:"errorDescription"`
	ErrorProperties  map[string]string `json:"errorProperties"`
}

// statusOf maps settle's error codes to HTTP statuses: the one place that does.
var statusOf = map[settle.Code]int{
	settle.Invalid:         http.StatusBadRequest,
	settle.NotFound:        http.StatusNotFound,
	settle.Conflict:        http.StatusConflict,
	settle.Unauthenticated: http.StatusUnauthorized,
	settle.Forbidden:       http.StatusForbidden,
	settle.Internal:        http.StatusInternalServerError,
	settle.Unavailable:     http.StatusServiceUnavailable,
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	if errors.Is(err, context.DeadlineExceeded) {
		writeError(w, http.StatusServiceUnavailable, "timeout", "the request took too long", nil)
		return
	}
	code := settle.CodeOf(err)
	if errors.Is(err, sql.ErrNoRows) {
		code = settle.NotFound
	}
	status := statusOf[code]
	var props map[string]string
	msg := err.Error()
	var e *settle.Error
	if errors.As(err, &e) {
		msg = e.Message
		if e.Field != "" {
			props = map[string]string{"parameter": e.Field}
		}
	}
	if code == settle.Internal {
		if s.log != nil {
			s.log.Error("request failed", "err", err)
		}
		msg = "internal error"
	}
	writeError(w, status, string(code), msg, props)
}

func writeError(w http.ResponseWriter, status int, code, msg string, props map[string]string) {
	writeJSON(w, status, errorModel{ErrorCode: code, ErrorDescription: msg, ErrorProperties: props})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status, buf = http.StatusInternalServerError, *bytes.NewBufferString(`{"errorCode":"internal","errorDescription":"internal error","errorProperties":null}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// page is the seeds' paginated envelope.
type page[T any] struct {
	TotalCount int64 `json:"totalCount"`
	LimitCount *int  `json:"limitCount"`
	Items      []T   `json:"items"`
}

// paging reads pageSize (default 50, at most 500) and pageNumber (from 0).
func paging(r *request) (size, number int, err error) {
	size, number = DefaultPageSize, 0
	q := r.URL.Query()
	if v := q.Get("pageSize"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > MaxPageSize {
			return 0, 0, settle.FieldError("pageSize", "%q must be a whole number from 1 to %d", v, MaxPageSize)
		}
	}
	if v := q.Get("pageNumber"); v != "" {
		if number, err = strconv.Atoi(v); err != nil || number < 0 || number > MaxPageNumber {
			return 0, 0, settle.FieldError("pageNumber", "%q must be a whole number from 0 to %d", v, MaxPageNumber)
		}
	}
	return size, number, nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// forbidden is the answer to a key asking for another partner's data; it names
// nothing of it.
func forbidden() error {
	return settle.Errorf(settle.Forbidden, "access to another partner's data is forbidden")
}

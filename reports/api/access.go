package api

import (
	"context"
	"net/http"
	"sync"
)

// accessLog writes one line per request: method, route pattern, status, duration,
// key id and bytes written; never a header's value but the key id, never a
// signature. A request no route took (404, 405, 413) is logged too.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server's clock (the store's: the wall clock in production, with its
		// monotonic reading; a test's clock stands still and every duration is zero).
		started := s.now()
		note := &routeNote{route: "unmatched"}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), routeKey{}, note)))
		note.mu.Lock()
		route, key := note.route, note.key
		note.mu.Unlock()
		d := s.now().Sub(started)
		if s.metrics != nil {
			s.metrics.observe(route, rec.status, d)
		}
		if s.log != nil {
			ms := float64(d.Microseconds()) / 1000 // a duration in milliseconds, not money
			s.log.Info("request", "method", r.Method, "route", route, "status", rec.status, "durationMs", ms,
				"keyId", key, "bytes", rec.bytes)
		}
	})
}

type routeKey struct{}

// routeNote is where a route's handler tells the access log its pattern and caller.
type routeNote struct {
	mu         sync.Mutex
	route, key string
}

func noteRoute(ctx context.Context, route, key string) {
	if n, ok := ctx.Value(routeKey{}).(*routeNote); ok {
		n.mu.Lock()
		n.route, n.key = route, key
		n.mu.Unlock()
	}
}

// recorder remembers the status and counts the bytes of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"settle/ledger"
	"settle/reports/metrics"
)

// Prometheus samples are float64 by definition: none of these figures is money
// (counts, seconds, connections).

// serverMetrics are the API's own figures, registered with the job figures read
// from the journal, so one scrape of /metrics shows both.
type serverMetrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	auth     *prometheus.CounterVec
}

func newServerMetrics(s *ledger.Store) *serverMetrics {
	m := &serverMetrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "settle_http_requests_total",
			Help: "HTTP requests by route pattern and status code."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "settle_http_request_duration_seconds",
			Help: "HTTP request durations by route pattern.", Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}},
			[]string{"route"}),
		auth: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "settle_auth_failures_total",
			Help: "Refused signatures by reason."}, []string{"reason"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.auth, metrics.Collector{Store: s}, dbPool{s})
	return m
}

func (m *serverMetrics) observe(route string, code int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// authFailed counts a refused signature by its reason (without its detail).
func (m *serverMetrics) authFailed(reason string) {
	reason, _, _ = strings.Cut(reason, ":")
	m.auth.WithLabelValues(reason).Inc()
}

func (m *serverMetrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// dbPool reports the read pool's figures.
type dbPool struct{ s *ledger.Store }

var (
	poolOpen    = prometheus.NewDesc("settle_db_open_connections", "Open connections of the API's read pool.", nil, nil)
	poolInUse   = prometheus.NewDesc("settle_db_in_use_connections", "Connections of the read pool in use.", nil, nil)
	poolWaits   = prometheus.NewDesc("settle_db_wait_count_total", "Times a request waited for a read connection.", nil, nil)
	poolWaitSec = prometheus.NewDesc("settle_db_wait_duration_seconds_total", "Time spent waiting for read connections.", nil, nil)
)

func (p dbPool) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolOpen
	ch <- poolInUse
	ch <- poolWaits
	ch <- poolWaitSec
}

func (p dbPool) Collect(ch chan<- prometheus.Metric) {
	st := p.s.R.Stats()
	ch <- prometheus.MustNewConstMetric(poolOpen, prometheus.GaugeValue, float64(st.OpenConnections))
	ch <- prometheus.MustNewConstMetric(poolInUse, prometheus.GaugeValue, float64(st.InUse))
	ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(st.WaitCount))
	ch <- prometheus.MustNewConstMetric(poolWaitSec, prometheus.CounterValue, st.WaitDuration.Seconds())
}

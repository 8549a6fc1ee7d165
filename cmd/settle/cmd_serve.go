package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"settle/ledger"
	"settle/reports/api"
)

func init() {
	register("serve", command{
		usage:   "[--addr :8080]",
		help:    "the read-only HTTP API (needs " + ledger.ServerKeyEnv + "); stops on SIGTERM",
		example: `SETTLE_SERVER_KEY=$(cat /etc/settle/server.key) settle serve --addr :8080`,
		run:     cmdServe,
	})
}

func cmdServe(ctx context.Context, a *app, args []string) int {
	var addr string
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&addr, "addr", ":8080", "address to listen on")
	if _, ok := a.parse("serve", fs, args, 0, 0); !ok {
		return exitUsage
	}
	key, err := ledger.ServerKey()
	if err != nil {
		return a.fail(err)
	}
	s, err := ledger.OpenReadOnly(a.db) // the API never writes
	if err != nil {
		return a.fail(err)
	}
	defer s.Close()
	if err := s.Warm(ctx); err != nil {
		return a.fail(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return a.fail(err)
	}
	srv := &http.Server{Handler: api.NewServer(s, key, a.log, currentBuild().Version).Handler(), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 15 * time.Second, WriteTimeout: 20 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10}
	fmt.Fprintf(a.stdout, "serving the read-only API of %s on http://%s (openapi: /openapi.json)\n", a.db, ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return a.fail(err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return a.fail(err)
	}
	return exitOK
}

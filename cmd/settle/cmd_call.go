package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"settle/reports/api"
)

func init() {
	register("call", command{
		usage:   "PATH [--url URL] [--key ID] [--secret S] [--method GET] [--body JSON]",
		help:    "sign and send one request to `settle serve` (SETTLE_API_KEY, SETTLE_API_SECRET)",
		example: `settle call '/wallets?pageSize=2'`,
		run:     cmdCall,
	})
}

func cmdCall(ctx context.Context, a *app, args []string) int {
	var base, key, secret, method, body string
	fs := flag.NewFlagSet("call", flag.ContinueOnError)
	fs.StringVar(&base, "url", "http://127.0.0.1:8080", "the API's address")
	fs.StringVar(&key, "key", os.Getenv("SETTLE_API_KEY"), "key id")
	fs.StringVar(&secret, "secret", os.Getenv("SETTLE_API_SECRET"), "the key's secret")
	fs.StringVar(&method, "method", "GET", "HTTP method")
	fs.StringVar(&body, "body", "", "request body (JSON)")
	pos, ok := a.parse("call", fs, args, 1, 1)
	if !ok {
		return exitUsage
	}
	if key == "" || secret == "" {
		fmt.Fprintln(a.stderr, "settle: call: --key and --secret (or SETTLE_API_KEY and SETTLE_API_SECRET) are required")
		return exitUsage
	}
	req, err := http.NewRequestWithContext(ctx, strings.ToUpper(method), strings.TrimRight(base, "/")+pos[0], strings.NewReader(body))
	if err != nil {
		return a.fail(err)
	}
	ts := fmt.Sprint(time.Now().UnixMilli())
	req.Header.Set("Key", key)
	req.Header.Set("Timestamp", ts)
	req.Header.Set("Sign", api.Sign(secret, req.Method, req.URL.RequestURI(), ts, []byte(body)))
	req.Header.Set("Content-Type", "application/json")
	res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return a.fail(err)
	}
	defer res.Body.Close()
	fmt.Fprintf(a.stderr, "%s\n", res.Status)
	if _, err := io.Copy(a.stdout, res.Body); err != nil {
		return a.fail(err)
	}
	if res.StatusCode >= 300 {
		return exitFail
	}
	return exitOK
}

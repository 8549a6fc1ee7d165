package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"settle/jobs"
)

// The example config is accepted as it is and names every setting there is.
func TestDeployConfigExampleHasEveryKey(t *testing.T) {
	path := filepath.Join("..", "..", "deploy", "config.example.json")
	if _, err := jobs.LoadConfig(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	var want []string
	ct := reflect.TypeOf(jobs.Config{})
	for i := 0; i < ct.NumField(); i++ {
		name, _, _ := strings.Cut(ct.Field(i).Tag.Get("json"), ",")
		want = append(want, name)
		if _, ok := got[name]; !ok {
			t.Errorf("config.example.json lacks %q", name)
		}
	}
	if len(got) != len(want) {
		sort.Strings(want)
		t.Errorf("config.example.json has %d keys, the config %d: %v", len(got), len(want), want)
	}
}

// The unit files pass systemd-analyze verify (where systemd is installed), with the
// binary's path pointed at this build.
func TestDeployUnitsVerify(t *testing.T) {
	dir := t.TempDir()
	units, _ := filepath.Glob(filepath.Join("..", "..", "deploy", "*.service"))
	timers, _ := filepath.Glob(filepath.Join("..", "..", "deploy", "*.timer"))
	var paths []string
	for _, u := range append(units, timers...) {
		b, err := os.ReadFile(u)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(b), "/usr/local/bin/settle", bin)
		for _, want := range []string{"[Unit]", "Description=", map[bool]string{true: "[Timer]", false: "[Service]"}[strings.HasSuffix(u, ".timer")]} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %s", u, want)
			}
		}
		p := filepath.Join(dir, filepath.Base(u))
		os.WriteFile(p, []byte(text), 0o644)
		paths = append(paths, p)
	}
	if len(paths) != 3 {
		t.Fatalf("deploy has %d unit files; want the nightly service and timer and the API service", len(paths))
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed: the units were only read")
	}
	out, err := exec.Command(analyze, append([]string{"verify", "--man=no"}, paths...)...).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

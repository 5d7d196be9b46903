package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigCheckPrintsLineAndColumn(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("data: d\npoliteness:\n  delay: soon\nschedules:\n  crawl:\n    - {name: asia, sites: [japan], every: 15m}\n    - {name: more, sites: [japan], cron: \"*/5 * * * *\"}\n"), 0o644)
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"config", "check", bad}, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d for a bad file\n%s%s", code, out.String(), errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], bad+":3:10: politeness.delay: want a duration") ||
		!strings.HasPrefix(lines[1], bad+":7:28: schedules.crawl[1].sites[0]: site \"japan\" is already in group \"asia\"") {
		t.Fatalf("output:\n%s", out.String())
	}

	good := filepath.Join(dir, "good.yaml")
	example := run(t, "config", "example")
	os.WriteFile(good, example, 0o644)
	if out := run(t, "config", "check", good); !containsLine(out, good+": OK") {
		t.Fatalf("the example does not check: %s", out)
	}
	root, err := os.ReadFile("../../pravda.example.yaml")
	if err != nil || !bytes.Equal(root, example) {
		t.Errorf("pravda.example.yaml differs from `pravda config example` (%v)", err)
	}
	if code := Main(context.Background(), []string{"config", "lint"}, &out, &errb); code != 2 {
		t.Errorf("config lint: exit %d", code)
	}
}

func TestServeRejectsABadConfigQuickly(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("data: "+dir+"\nlisten: nowhere\n"), 0o644)
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"serve", "--config", bad}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), bad+":2:9: listen:") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	// Flags are checked too.
	if code := Main(context.Background(), []string{"serve", "--data", dir, "--sites", "atlantis"}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "atlantis") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}

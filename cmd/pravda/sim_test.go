package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSimCommandServesCurl runs `pravda sim` as its own process and fetches a Pravda Nihon
// article with a plain curl through --connect-to, under its real https URL.
func TestSimCommandServesCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	dir := t.TempDir()
	addr, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	ca, truth := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "truth.jsonl")
	cmd := exec.Command(os.Args[0], "sim", "--listen", addr, "--ca-out", ca, "--truth", truth,
		"--seed", "4", "--days", "1", "--per-day", "5", "--sites", "japan,pravda-fr.com")
	cmd.Env = append(os.Environ(), "PRAVDA_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	if err := waitFile(t.Context(), truth, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(truth)
	defer f.Close()
	var first struct {
		Site, URL, Title string
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		json.Unmarshal(sc.Bytes(), &first)
		if first.Site == "japan" {
			break
		}
	}
	if !strings.HasPrefix(first.URL, "https://japan.news-pravda.com/") {
		t.Fatalf("no Pravda Nihon article in the truth: %+v", first)
	}
	out, err := exec.Command(curl, "-sS", "--fail", "--connect-to", "::"+addr, "--cacert", ca, first.URL).CombinedOutput()
	if err != nil {
		t.Fatalf("curl %s: %v\n%s", first.URL, err, out)
	}
	page := string(out)
	if !strings.Contains(page, "<title>"+first.Title+" - Pravda Nihon</title>") || !strings.Contains(page, `class="article__text"`) {
		t.Fatalf("curl got something else than the article page:\n%.600s", page)
	}
	// A legacy host answers with a redirect to the site's current host.
	out, err = exec.Command(curl, "-sS", "-o", os.DevNull, "-w", "%{http_code} %{redirect_url}", "--connect-to", "::"+addr,
		"--cacert", ca, "https://pravda-jp.com/").CombinedOutput()
	if err != nil || string(out) != "301 https://japan.news-pravda.com/" {
		t.Fatalf("legacy host: %s %v", out, err)
	}
}

func TestSitesCommand(t *testing.T) {
	var sites []struct {
		Name, Host, Display string
		Langs               []string
		Aliases             []string
	}
	if err := json.Unmarshal(run(t, "sites", "--json"), &sites); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range sites {
		if s.Name == "japan" {
			found = s.Display == "Pravda Nihon" && s.Host == "japan.news-pravda.com" && len(s.Langs) > 0 && s.Langs[0] == "ja"
		}
	}
	if len(sites) < 60 || !found {
		t.Fatalf("%d sites, Pravda Nihon found=%v", len(sites), found)
	}
	table := string(run(t, "sites", "--sites", "pravda-jp.com"))
	if !strings.Contains(table, "japan.news-pravda.com") || strings.Count(table, "\n") != 2 {
		t.Fatalf("table for an alias:\n%s", table)
	}
	if out := string(run(t, "sites", "--origins")); !strings.Contains(out, "tass.ru") || !strings.Contains(out, "t.me") {
		t.Fatalf("origins table:\n%s", out)
	}
}

package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pravda.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func noEnv(string) string { return "" }

func TestEmptyFileIsTheDefaults(t *testing.T) {
	for _, text := range []string{"", "# only a comment\n", "---\n"} {
		c, probs := load(write(t, text), noEnv)
		if len(probs) > 0 {
			t.Fatalf("%q: %v", text, probs)
		}
		if !reflect.DeepEqual(c, Default()) {
			t.Fatalf("%q: %+v, want the defaults", text, c)
		}
	}
}

func TestExampleIsValidAndComplete(t *testing.T) {
	c, probs := load(write(t, Example()), noEnv)
	if len(probs) > 0 {
		t.Fatalf("the example has problems: %v", probs)
	}
	// Apart from the illustrative crawl groups, it states the defaults.
	d := Default()
	d.Schedules.Crawl = c.Schedules.Crawl
	d.Fetch.Resolve, d.Politeness.Sites = c.Fetch.Resolve, c.Politeness.Sites
	if !reflect.DeepEqual(c, d) {
		t.Errorf("the example's values differ from the defaults:\n%+v\n%+v", c, d)
	}
	// Every key is mentioned, so the example documents every setting.
	var keys func(reflect.Type)
	keys = func(tp reflect.Type) {
		for tp.Kind() == reflect.Pointer || tp.Kind() == reflect.Slice || tp.Kind() == reflect.Map {
			tp = tp.Elem()
		}
		if tp.Kind() != reflect.Struct {
			return
		}
		for i := range tp.NumField() {
			f := tp.Field(i)
			tag := f.Tag.Get("yaml")
			if !strings.Contains(Example(), tag+":") {
				t.Errorf("the example does not mention %s (%s.%s)", tag, tp.Name(), f.Name)
			}
			keys(f.Type)
		}
	}
	keys(reflect.TypeFor[Config]())
	// The copy at the repository root is the same file.
	root, err := os.ReadFile("../pravda.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(root) != Example() {
		t.Error("pravda.example.yaml differs from config/example.yaml: copy it over")
	}
}

func TestProblemsCarryLineAndColumn(t *testing.T) {
	text := `data: /srv/pravda
listen: 127.0.0.1:9090
fetch:
  max_body: lots
  workers: 0
  user_agnet: me
politeness:
  delay: 5 seconds
  sites:
    japn: {delay: 1s}
    japan: {robots: maybe}
schedules:
  crawl:
    - name: asia
      sites: [japan, korea]
      every: 15m
    - name: asia
      sites: [korea]
      cron: "*/15 * * *"
    - name: bad group
      sites: [japan, atlantis]
  report:
    at: "7am"
    zone: Mars/Olympus
log:
  level: loud
`
	_, probs := load(write(t, text), noEnv)
	want := []struct {
		line, col int
		msg       string
	}{
		{4, 13, "fetch.max_body: want a size"},
		{5, 12, "fetch.workers: want 1 to 256, got 0"},
		{6, 3, `fetch: unknown key "user_agnet" (did you mean "user_agent"?)`},
		{8, 10, "politeness.delay: want a duration"},
		{10, 5, `politeness.sites.japn: unknown site "japn"`},
		{11, 21, "politeness.sites.japan.robots: want true or false"},
		{17, 13, `schedules.crawl[1].name: group "asia" is already defined at line 14`},
		{18, 15, `schedules.crawl[1].sites[0]: site "korea" is already in group "asia"`},
		{19, 13, "schedules.crawl[1].cron: cron"},
		{20, 13, "schedules.crawl[2].name: want a short lower-case name"},
		{20, 7, "schedules.crawl[2]: give every"},
		{21, 15, `schedules.crawl[2].sites[0]: site "japan" is already in group "asia"`},
		{21, 22, `schedules.crawl[2].sites[1]: unknown site "atlantis"`},
		{23, 9, "schedules.report.at: time of day"},
		{24, 11, `schedules.report.zone: unknown time zone "Mars/Olympus"`},
		{26, 10, "log.level: want debug, info, warn or error"},
	}
	got := map[Problem]bool{}
	for _, p := range probs {
		got[p] = true
	}
	for _, w := range want {
		found := false
		for p := range got {
			if p.Line == w.line && p.Col == w.col && strings.HasPrefix(p.Msg, w.msg) {
				found, got[p] = true, false
				delete(got, p)
				break
			}
		}
		if !found {
			t.Errorf("missing %d:%d: %s", w.line, w.col, w.msg)
		}
	}
	for p := range got {
		t.Errorf("unexpected %s", p.In("f"))
	}
	if t.Failed() {
		for _, p := range probs {
			t.Log(p.In("f"))
		}
	}
	for i := 1; i < len(probs); i++ {
		if probs[i].Line < probs[i-1].Line {
			t.Fatalf("problems out of file order: %v", probs)
		}
	}
}

func TestSyntaxErrorHasALine(t *testing.T) {
	probs := Check(write(t, "data: x\nfetch:\n  workers: 3\n bad: [\n"))
	if len(probs) != 1 || probs[0].Line == 0 {
		t.Fatalf("%v", probs)
	}
	if got := probs[0].In("p.yaml"); !strings.HasPrefix(got, "p.yaml:") {
		t.Fatalf("formatted %q", got)
	}
}

func TestWrongShapes(t *testing.T) {
	text := "fetch: 3\npoliteness:\n  sites: [japan]\nschedules:\n  crawl: {name: x}\ndata: [a]\n"
	probs := Check(write(t, text))
	lines := map[int]bool{}
	for _, p := range probs {
		lines[p.Line] = true
	}
	for _, l := range []int{1, 3, 5, 6} {
		if !lines[l] {
			t.Errorf("no problem on line %d: %v", l, probs)
		}
	}
}

func TestRepeatedKey(t *testing.T) {
	probs := Check(write(t, "listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n"))
	if len(probs) != 1 || probs[0].Line != 2 || !strings.Contains(probs[0].Msg, "first on line 1") {
		t.Fatalf("%v", probs)
	}
}

func TestEnvOverrides(t *testing.T) {
	env := map[string]string{"PRAVDA_DATA": "/var/lib/pravda", "PRAVDA_LISTEN": "0.0.0.0:80",
		"PRAVDA_METRICS_TOKEN": "s3cret", "PRAVDA_LOG_LEVEL": "debug"}
	c, probs := load(write(t, "data: here\nlisten: 127.0.0.1:1\n"), func(k string) string { return env[k] })
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if c.Data != "/var/lib/pravda" || c.Listen != "0.0.0.0:80" || c.MetricsToken != "s3cret" || c.Log.Level != "debug" {
		t.Fatalf("%+v", c)
	}
	// A bad value from the environment names the variable, not a line.
	env["PRAVDA_LISTEN"] = "nowhere"
	_, probs = load(write(t, "listen: 127.0.0.1:1\n"), func(k string) string { return env[k] })
	if len(probs) != 1 || probs[0].Env != "PRAVDA_LISTEN" || !strings.HasPrefix(probs[0].In("f"), "PRAVDA_LISTEN: listen:") {
		t.Fatalf("%v", probs)
	}
	t.Setenv("PRAVDA_DATA", "/from/env")
	c, err := Load("")
	if err != nil || c.Data != "/from/env" {
		t.Fatalf("Load(\"\"): %v %+v", err, c)
	}
}

func TestLoadJoinsProblems(t *testing.T) {
	p := write(t, "fetch:\n  workers: -1\nlog:\n  format: xml\n")
	_, err := Load(p)
	if err == nil {
		t.Fatal("Load accepted a bad file")
	}
	for _, want := range []string{p + ":2:12: fetch.workers", p + ":4:11: log.format"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

func TestGroupsAndPoliteness(t *testing.T) {
	text := `politeness:
  delay: 200ms
  sites:
    japan: {delay: 1s, per_host: 2, robots: false}
schedules:
  zone: Asia/Tokyo
  crawl:
    - {name: asia, sites: [japan, korea.news-pravda.com], every: 10m}
    - {name: rest, cron: "0 7 * * *"}
`
	c, probs := load(write(t, text), noEnv)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	reg, err := c.Registry()
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := reg.Site("japan"); s.HonoursRobots() {
		t.Error("robots: false not applied to japan")
	}
	if s, _ := reg.Site("korea"); !s.HonoursRobots() {
		t.Error("korea lost its robots.txt")
	}
	gs, err := c.Groups(reg)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 2 || gs[0].Name != "asia" || len(gs[0].Sites) != 2 || gs[0].Sites[1].Name != "korea" {
		t.Fatalf("groups %+v", gs)
	}
	active, _ := reg.Select(nil)
	if len(gs[1].Sites) != len(active)-2 {
		t.Errorf("rest has %d sites, want every active site but 2 of %d", len(gs[1].Sites), len(active))
	}
	for _, s := range gs[1].Sites {
		if s.Name == "japan" || s.Name == "korea" {
			t.Errorf("rest also crawls %s", s.Name)
		}
	}
	from := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) // 09:00 in Tokyo
	if next := gs[1].When.Next(from); !next.Equal(time.Date(2025, 3, 1, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("rest's 07:00 Tokyo is %v", next)
	}
	if next := gs[0].When.Next(from); !next.Equal(from.Add(10 * time.Minute)) {
		t.Errorf("asia's next pass %v", next)
	}
	jp, kr := c.Politeness.For("japan"), c.Politeness.For("korea")
	if jp.Delay != Duration(time.Second) || jp.PerHost != 2 || jp.PerIP != 4 {
		t.Errorf("japan %+v", jp)
	}
	if kr.Delay != Duration(200*time.Millisecond) || kr.PerHost != 1 {
		t.Errorf("korea %+v", kr)
	}
	// Without groups, one group crawls every active site.
	gs, err = Default().Groups(reg)
	if err != nil || len(gs) != 1 || gs[0].Name != "all" || len(gs[0].Sites) != len(active) {
		t.Fatalf("default groups %+v %v", gs, err)
	}
}

func TestSizes(t *testing.T) {
	for in, want := range map[string]int64{"16MiB": 16 << 20, "512 KiB": 512 << 10, "1GB": 1e9, "4096": 4096, "10B": 10} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "MiB", "-1", "1.5MiB", "9999999999999GiB", "12 parsecs"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if s := Size(16 << 20).String(); s != "16MiB" {
		t.Errorf("%s", s)
	}
}

func FuzzCheck(f *testing.F) {
	f.Add(Example())
	f.Add("schedules:\n  crawl:\n    - &a {name: x, every: 1m}\n    - *a\n")
	f.Add("a: &x [*x]\n")
	f.Fuzz(func(t *testing.T, text string) {
		p := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, pr := range Check(p) {
			if pr.Msg == "" {
				t.Fatalf("empty problem message for %q", text)
			}
		}
	})
}

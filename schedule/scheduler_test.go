package schedule

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// seenStore says every job succeeded at at, so none catches up on start.
func seenStore(at time.Time, jobs ...string) *memStore {
	st := &memStore{}
	for _, j := range jobs {
		st.SetState(context.Background(), StateKey(j), at.Format(time.RFC3339Nano))
	}
	return st
}

func TestEveryFiresOnTheFakeClock(t *testing.T) {
	clk := newFakeClock(t0)
	runs := make(chan time.Time, 10)
	s := &Scheduler{Clock: clk, Log: quiet(), Store: seenStore(t0, "crawl")}
	if err := s.Add(Job{Name: "crawl", When: Every(15 * time.Minute), Run: func(context.Context) error {
		runs <- clk.Now()
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	start(t, s)
	clk.waitSleeping(t)
	none(t, runs, "run before its time")
	clk.Set(t0.Add(14 * time.Minute))
	none(t, runs, "run a minute early")
	clk.Set(t0.Add(15 * time.Minute))
	if got := recv(t, runs, "first run"); !got.Equal(t0.Add(15 * time.Minute)) {
		t.Fatalf("first run at %v", got)
	}
	clk.waitSleeping(t)
	// The run has sent its time; let it finish, or the next tick is (rightly) refused.
	waitFor(t, func() bool { return !s.Status()[0].Running })
	clk.Set(t0.Add(30 * time.Minute))
	recv(t, runs, "second run")
	clk.waitSleeping(t)
	if st := s.Status()[0]; st.Runs != 2 || !st.Next.Equal(t0.Add(45*time.Minute)) {
		t.Fatalf("status %+v", st)
	}
}

func TestDailyAtFiresInItsZone(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	when, err := DailyAt("07:00", tokyo)
	if err != nil {
		t.Fatal(err)
	}
	// 21:59 UTC on 28 Feb is 06:59 in Tokyo on 1 March.
	now := time.Date(2025, 2, 28, 21, 59, 0, 0, time.UTC)
	if next := when.Next(now); !next.Equal(time.Date(2025, 2, 28, 22, 0, 0, 0, time.UTC)) {
		t.Fatalf("next after %v is %v, want 22:00 UTC", now, next)
	}
	clk := newFakeClock(now)
	runs := make(chan time.Time, 10)
	s := &Scheduler{Clock: clk, Log: quiet(), Store: seenStore(now.Add(-time.Hour), "report")}
	s.Add(Job{Name: "report", When: when, Run: func(context.Context) error { runs <- clk.Now(); return nil }})
	start(t, s)
	clk.waitSleeping(t)
	clk.Set(now.Add(59 * time.Second))
	none(t, runs, "report before 07:00 Tokyo")
	clk.Set(now.Add(time.Minute))
	got := recv(t, runs, "report")
	if h, m, _ := got.In(tokyo).Clock(); h != 7 || m != 0 {
		t.Fatalf("report ran at %v Tokyo time", got.In(tokyo))
	}
	clk.waitSleeping(t)
	if next := s.Status()[0].Next; !next.Equal(now.Add(time.Minute + 24*time.Hour)) {
		t.Fatalf("next report %v, want a day later", next)
	}
}

func TestCronSpecs(t *testing.T) {
	for _, tc := range []struct {
		spec string
		from time.Time
		want time.Time
	}{
		{"*/15 * * * *", t0.Add(time.Minute), t0.Add(15 * time.Minute)},
		{"30 3 * * *", t0, time.Date(2025, 3, 2, 3, 30, 0, 0, time.UTC)},
		{"@hourly", t0, t0.Add(time.Hour)},
		{"@every 10m", t0, t0.Add(10 * time.Minute)},
	} {
		s, err := Cron(tc.spec, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		if got := s.Next(tc.from); !got.Equal(tc.want) {
			t.Errorf("%s after %v: %v, want %v", tc.spec, tc.from, got, tc.want)
		}
	}
	for _, bad := range []string{"", "* * *", "61 * * * *", "TZ=Asia/Tokyo 0 7 * * *", "@fortnightly", "*/0 * * * *"} {
		if _, err := Cron(bad, nil); err == nil {
			t.Errorf("Cron(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"7", "7:0", "24:00", "07:60", "-1:00", "ab:cd", ""} {
		if _, err := DailyAt(bad, nil); err == nil {
			t.Errorf("DailyAt(%q) accepted", bad)
		}
	}
}

func TestOverlappingRunIsRefused(t *testing.T) {
	clk := newFakeClock(t0)
	release := make(chan struct{})
	started := make(chan string, 10)
	var refused atomic.Int64
	s := &Scheduler{Clock: clk, Log: quiet(), Store: seenStore(t0, "asia", "asia-again", "europe", "recheck"),
		OnRefused: func(job string, busy []string) { refused.Add(1) }}
	block := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			started <- name
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}
	}
	s.Add(Job{Name: "asia", When: Every(time.Minute), Sites: []string{"japan", "korea"}, Run: block("asia")})
	// Another job sharing a site with asia, and one that does not.
	s.Add(Job{Name: "asia-again", When: Every(time.Hour), Sites: []string{"korea"}, Run: block("asia-again")})
	s.Add(Job{Name: "europe", When: Every(time.Hour), Sites: []string{"francais"}, Run: block("europe")})
	start(t, s)
	clk.waitSleeping(t)
	clk.Set(t0.Add(time.Minute))
	if got := recv(t, started, "asia"); got != "asia" {
		t.Fatalf("started %s", got)
	}
	clk.waitSleeping(t)
	// Asia's next tick comes while its first pass still runs.
	clk.Set(t0.Add(2 * time.Minute))
	clk.waitSleeping(t)
	none(t, started, "overlapping pass")
	ctx := context.Background()
	if err := s.Trigger(ctx, "asia-again"); !errors.Is(err, ErrRefused) {
		t.Fatalf("a job on a busy site: %v, want ErrRefused", err)
	}
	if err := s.Trigger(ctx, "europe"); err != nil {
		t.Fatalf("a job on other sites: %v", err)
	}
	recv(t, started, "europe")
	if n := refused.Load(); n != 2 {
		t.Fatalf("%d refusals counted, want 2", n)
	}
	st := s.Status()
	if st[0].Refused != 1 || st[1].Refused != 1 || st[0].Runs != 1 || !st[0].Running {
		t.Fatalf("status %+v", st)
	}
	close(release)
	// Once asia is done, its next tick runs.
	waitFor(t, func() bool { return !s.Status()[0].Running })
	clk.Set(t0.Add(3 * time.Minute))
	recv(t, started, "asia after the first pass ended")
}

func TestMissedRunRunsOnStart(t *testing.T) {
	st := &memStore{}
	// Crawl succeeded 40 minutes ago on a 15-minute schedule: missed. The
	// report succeeded at 07:00 today and is due tomorrow: not missed.
	// The recheck never ran at all; nor did fresh, which waits for its time.
	now := t0 // 10:00
	st.SetState(context.Background(), StateKey("crawl"), now.Add(-40*time.Minute).Format(time.RFC3339Nano))
	st.SetState(context.Background(), StateKey("report"), now.Add(-3*time.Hour).Format(time.RFC3339Nano))
	daily, _ := DailyAt("07:00", nil)
	clk := newFakeClock(now)
	ran := make(chan string, 10)
	s := &Scheduler{Clock: clk, Log: quiet(), Store: st}
	for _, j := range []Job{
		{Name: "crawl", When: Every(15 * time.Minute)},
		{Name: "report", When: daily},
		{Name: "recheck", When: daily},
		{Name: "fresh", When: daily, WaitFirst: true},
	} {
		j.Run = func(context.Context) error { ran <- j.Name; return nil }
		s.Add(j)
	}
	start(t, s)
	got := map[string]bool{recv(t, ran, "catch-up run"): true, recv(t, ran, "catch-up run"): true}
	if !got["crawl"] || !got["recheck"] {
		t.Fatalf("caught up %v, want crawl and recheck", got)
	}
	none(t, ran, "report run (it was not missed), or fresh (it waits for its first time)")
	waitFor(t, func() bool {
		v, _, _ := st.State(context.Background(), StateKey("crawl"))
		return v == now.Format(time.RFC3339Nano)
	})
}

func TestNotMissedKeepsItsRhythm(t *testing.T) {
	// The last pass was 5 minutes ago on a 15-minute schedule: the next one
	// is in 10 minutes, not 15.
	st := seenStore(t0.Add(-5*time.Minute), "crawl")
	clk := newFakeClock(t0)
	ran := make(chan time.Time, 10)
	s := &Scheduler{Clock: clk, Log: quiet(), Store: st}
	s.Add(Job{Name: "crawl", When: Every(15 * time.Minute), Run: func(context.Context) error { ran <- clk.Now(); return nil }})
	start(t, s)
	clk.waitSleeping(t)
	none(t, ran, "run on start")
	clk.Set(t0.Add(10 * time.Minute))
	recv(t, ran, "run 15 minutes after the last one")
}

func TestFailedRunIsNotRemembered(t *testing.T) {
	st := &memStore{}
	clk := newFakeClock(t0)
	done := make(chan struct{}, 1)
	s := &Scheduler{Clock: clk, Log: quiet(), Store: st}
	s.Add(Job{Name: "crawl", When: Every(time.Hour), Run: func(context.Context) error {
		defer func() { done <- struct{}{} }()
		return errors.New("network down")
	}})
	s.Add(Job{Name: "panics", When: Every(time.Hour), Run: func(context.Context) error { panic("bad page") }})
	start(t, s)
	recv(t, done, "run")
	waitFor(t, func() bool { return s.Status()[0].LastEnd.Equal(t0) && s.Status()[1].LastEnd.Equal(t0) })
	if _, ok, _ := st.State(context.Background(), StateKey("crawl")); ok {
		t.Fatal("a failed run was remembered as done: it would not be retried on restart")
	}
	for _, js := range s.Status() {
		if js.Failures != 1 || js.LastError == "" || !js.LastOK.IsZero() {
			t.Errorf("status %+v", js)
		}
	}
}

func TestStopCancelsRunsAndWaits(t *testing.T) {
	clk := newFakeClock(t0)
	started := make(chan struct{})
	var finished atomic.Bool
	s := &Scheduler{Clock: clk, Log: quiet()}
	s.Add(Job{Name: "crawl", When: Every(time.Hour), Run: func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		time.Sleep(20 * time.Millisecond) // winding down: closing files
		finished.Store(true)
		return ctx.Err()
	}})
	stop := start(t, s)
	recv(t, started, "run")
	stop()
	if !finished.Load() {
		t.Fatal("Run returned before the run in flight finished")
	}
	if err := s.Trigger(context.Background(), "crawl"); err == nil {
		t.Fatal("Trigger after stop succeeded")
	}
}

func TestLocksAcquireWaits(t *testing.T) {
	var l Locks
	rel, busy := l.TryAcquire("a", []string{"japan", "hub"})
	if busy != nil {
		t.Fatal(busy)
	}
	if _, busy := l.TryAcquire("b", []string{"francais", "hub"}); len(busy) != 1 || busy[0] != "hub" {
		t.Fatalf("busy %v", busy)
	}
	if l.Holder("francais") != "" {
		t.Fatal("a refused TryAcquire kept part of its locks")
	}
	got := make(chan func(), 1)
	go func() {
		r, err := l.Acquire(context.Background(), "b", []string{"francais", "hub"})
		if err != nil {
			t.Error(err)
		}
		got <- r
	}()
	none(t, got, "Acquire while hub is held")
	rel()
	rel() // twice is harmless
	recv(t, got, "Acquire after release")()
	ctx, cancel := context.WithCancel(context.Background())
	rel2, _ := l.TryAcquire("c", []string{"japan"})
	cancel()
	if _, err := l.Acquire(ctx, "d", []string{"japan"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire on a cancelled context: %v", err)
	}
	rel2()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

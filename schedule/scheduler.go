package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Store keeps small named values across restarts. *catalog.Catalog is one.
type Store interface {
	State(ctx context.Context, key string) (value string, ok bool, err error)
	SetState(ctx context.Context, key, value string) error
}

// StateKey is the Store key under which a job's last successful start is
// kept, as RFC 3339 text.
func StateKey(job string) string { return "schedule.last_ok." + job }

// Job is work to run on a schedule.
type Job struct {
	Name string        // unique; also its key in the Store
	When cron.Schedule // Every, Cron, DailyAt or any cron.Schedule
	// Sites are locked while the job runs: a trigger that finds one of them
	// busy is refused. A job without sites only excludes itself.
	Sites []string
	// Run does the work. Its context ends when the scheduler stops; a run
	// should then wind down, keeping what it finished. A nil error marks the
	// run successful, which is what the Store remembers.
	Run func(ctx context.Context) error
	// WaitFirst keeps a job that has never succeeded from running on start:
	// it waits for its first time instead. For work that only makes sense
	// once there is history (a recheck of what was just fetched).
	WaitFirst bool
}

// Status is what the scheduler knows of one job, for health checks.
type Status struct {
	Job       string    `json:"job"`
	Sites     []string  `json:"sites,omitempty"`
	Running   bool      `json:"running"`
	Next      time.Time `json:"next"`
	LastStart time.Time `json:"last_start,omitzero"`
	LastEnd   time.Time `json:"last_end,omitzero"`
	// LastOK is the start of the last successful run, this process's or,
	// until it has one, the one the Store remembers.
	LastOK    time.Time `json:"last_ok,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	Runs      int64     `json:"runs"`
	Failures  int64     `json:"failures"`
	Refused   int64     `json:"refused"`
}

// ErrRefused is returned by Trigger when the job or one of its sites is busy.
var ErrRefused = errors.New("schedule: busy, run refused")

// Scheduler runs jobs at their times. Set its fields, Add the jobs, then Run.
type Scheduler struct {
	Clock Clock        // default System
	Store Store        // where last successful runs are kept; nil: every job runs on start
	Locks *Locks       // per-site locks, shareable with other work; default a private set
	Log   *slog.Logger // default slog.Default()
	// OnRefused, when set, is told of every refused trigger (for metrics).
	OnRefused func(job string, busy []string)

	mu      sync.Mutex
	entries []*entry
	byName  map[string]*entry
	trigger chan triggerReq
	done    chan struct{}   // closed when Run returns
	ctx     context.Context // Run's, once running
	wg      sync.WaitGroup
}

type entry struct {
	job  Job
	next time.Time
	st   Status
}

type triggerReq struct {
	name  string
	reply chan error
}

// Add registers a job. Jobs are added before Run.
func (s *Scheduler) Add(j Job) error {
	if j.Name == "" || j.When == nil || j.Run == nil {
		return errors.New("schedule: a job needs a Name, When and Run")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx != nil {
		return fmt.Errorf("schedule: add %s: already running", j.Name)
	}
	if s.byName == nil {
		s.byName = map[string]*entry{}
	}
	if _, dup := s.byName[j.Name]; dup {
		return fmt.Errorf("schedule: job %q added twice", j.Name)
	}
	j.Sites = slices.Clone(j.Sites)
	e := &entry{job: j, st: Status{Job: j.Name, Sites: j.Sites}}
	s.entries = append(s.entries, e)
	s.byName[j.Name] = e
	return nil
}

// Run fires the jobs until ctx ends, then waits for the runs in flight (whose
// contexts end with ctx) and returns nil. First it runs at once every job
// that missed a time while the daemon was down.
func (s *Scheduler) Run(ctx context.Context) error {
	if s.Clock == nil {
		s.Clock = System
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.Locks == nil {
		s.Locks = &Locks{}
	}
	s.mu.Lock()
	if s.ctx != nil {
		s.mu.Unlock()
		return errors.New("schedule: already running")
	}
	s.ctx = ctx
	s.trigger = make(chan triggerReq)
	s.done = make(chan struct{})
	entries := slices.Clone(s.entries)
	s.mu.Unlock()
	defer close(s.done)
	defer s.wg.Wait()

	now := s.Clock.Now()
	for _, e := range entries {
		if s.catchUp(ctx, e, now) {
			s.Log.Info("job missed a run while stopped, running it now", "job", e.job.Name)
			s.fire(e, "catch-up")
		}
	}
	for {
		var wake time.Time
		for _, e := range entries {
			if wake.IsZero() || e.nextTime().Before(wake) {
				wake = e.nextTime()
			}
		}
		var timer <-chan time.Time
		if len(entries) > 0 {
			timer = s.Clock.After(wake.Sub(s.Clock.Now()))
		}
		select {
		case <-ctx.Done():
			s.Log.Info("scheduler stopping; waiting for runs in flight")
			return nil
		case req := <-s.trigger:
			e := s.lookup(req.name)
			if e == nil {
				req.reply <- fmt.Errorf("schedule: no job %q", req.name)
				continue
			}
			req.reply <- s.fire(e, "trigger")
		case <-timer:
			now := s.Clock.Now()
			for _, e := range entries {
				if e.nextTime().After(now) {
					continue
				}
				s.fire(e, "schedule")
				s.setNext(e, e.job.When.Next(now))
			}
		}
	}
}

// catchUp sets e's first time and reports whether it must run at once.
func (s *Scheduler) catchUp(ctx context.Context, e *entry, now time.Time) bool {
	s.setNext(e, e.job.When.Next(now))
	if s.Store == nil {
		return true
	}
	v, ok, err := s.Store.State(ctx, StateKey(e.job.Name))
	if err != nil {
		s.Log.Warn("last run unknown, running now", "job", e.job.Name, "err", err)
		return true
	}
	if !ok {
		return !e.job.WaitFirst // never succeeded
	}
	last, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		s.Log.Warn("last run unreadable, running now", "job", e.job.Name, "value", v)
		return true
	}
	s.mu.Lock()
	e.st.LastOK = last
	s.mu.Unlock()
	due := e.job.When.Next(last)
	if !due.After(now) {
		return true
	}
	// Keep the rhythm the previous process had rather than restarting the
	// interval from now.
	if due.Before(e.nextTime()) {
		s.setNext(e, due)
	}
	return false
}

// Trigger runs a job now, under the same rules as a scheduled run: it returns
// ErrRefused when the job or one of its sites is busy. It needs Run going.
func (s *Scheduler) Trigger(ctx context.Context, name string) error {
	s.mu.Lock()
	ch, done := s.trigger, s.done
	s.mu.Unlock()
	if ch == nil {
		return errors.New("schedule: not running")
	}
	req := triggerReq{name: name, reply: make(chan error, 1)}
	select {
	case ch <- req:
	case <-done:
		return errors.New("schedule: stopped")
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-req.reply
}

// Status lists the jobs in the order they were added.
func (s *Scheduler) Status() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Status, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.st
		out[i].Sites = slices.Clone(e.st.Sites)
	}
	return out
}

func (s *Scheduler) lookup(name string) *entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byName[name]
}

func (e *entry) nextTime() time.Time { return e.next }

func (s *Scheduler) setNext(e *entry, t time.Time) {
	s.mu.Lock()
	e.next, e.st.Next = t, t
	s.mu.Unlock()
}

// fire starts one run of e unless the job or one of its sites is busy.
func (s *Scheduler) fire(e *entry, why string) error {
	names := append([]string{"job:" + e.job.Name}, e.job.Sites...)
	release, busy := s.Locks.TryAcquire(e.job.Name, names)
	if busy != nil {
		s.mu.Lock()
		e.st.Refused++
		s.mu.Unlock()
		var holders []string
		for _, b := range busy {
			holders = append(holders, b+" ("+s.Locks.Holder(b)+")")
		}
		s.Log.Warn("run refused: still busy", "job", e.job.Name, "why", why, "busy", holders)
		if s.OnRefused != nil {
			s.OnRefused(e.job.Name, busy)
		}
		return fmt.Errorf("%w: %s: %v", ErrRefused, e.job.Name, busy)
	}
	start := s.Clock.Now()
	s.mu.Lock()
	e.st.Running, e.st.LastStart = true, start
	e.st.Runs++
	ctx := s.ctx
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.Log.Debug("run starting", "job", e.job.Name, "why", why)
		err := s.safeRun(ctx, e)
		end := s.Clock.Now()
		switch {
		case err != nil && ctx.Err() != nil:
			s.Log.Info("run interrupted", "job", e.job.Name, "err", err)
		case err != nil:
			s.Log.Error("run failed", "job", e.job.Name, "err", err, "took", end.Sub(start))
		default:
			s.Log.Info("run done", "job", e.job.Name, "took", end.Sub(start))
			if s.Store != nil {
				// Remembered even when shutdown began meanwhile: the run did finish.
				if err := s.Store.SetState(context.WithoutCancel(ctx), StateKey(e.job.Name), start.UTC().Format(time.RFC3339Nano)); err != nil {
					s.Log.Error("remember run", "job", e.job.Name, "err", err)
				}
			}
		}
		// The status and the locks change together: a job seen not running can run.
		s.mu.Lock()
		defer s.mu.Unlock()
		e.st.Running, e.st.LastEnd = false, end
		if err != nil {
			e.st.Failures++
			e.st.LastError = err.Error()
		} else {
			e.st.LastOK, e.st.LastError = start, ""
		}
		release()
	}()
	return nil
}

// safeRun turns a panicking job into a failed run: one bad page must not
// stop every schedule.
func (s *Scheduler) safeRun(ctx context.Context, e *entry) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("job %s panicked: %v", e.job.Name, r)
		}
	}()
	return e.job.Run(ctx)
}

package sim

import (
	"maps"
	"sync"
	"time"
)

// Stats summarises the requests the simulator has answered: enough for a test to check
// that a crawler stayed in scope, was polite, honoured robots.txt and did not refetch.
type Stats struct {
	Requests      int64                    `json:"requests"`
	ByStatus      map[int]int64            `json:"by_status"` // 0 for connections dropped by a fault
	ByHost        map[string]int64         `json:"by_host"`
	OffScope      int64                    `json:"off_scope"` // requests for hosts the registry does not name
	OffScopeHosts map[string]int64         `json:"off_scope_hosts"`
	Faults        map[string]int64         `json:"faults"`     // faults fired, by name
	Disallowed    int64                    `json:"disallowed"` // requests for paths robots.txt disallows
	ArticlePages  int64                    `json:"article_pages"`
	URLs          int                      `json:"urls"`    // distinct URLs requested
	Repeats       int64                    `json:"repeats"` // requests for a URL asked for before
	PeakInFlight  map[string]int           `json:"peak_in_flight"`
	MinInterval   map[string]time.Duration `json:"min_interval"` // shortest gap between two request starts, per host
	Panics        int64                    `json:"panics"`
}

// maxTracked bounds the per-URL and per-host maps against an endless stream of odd URLs.
const maxTracked = 1 << 20

type stats struct {
	mu        sync.Mutex
	s         Stats
	attempts  map[string]int
	got503    map[string]int
	hostN     map[string]int64
	inFlight  map[string]int
	lastStart map[string]time.Time
}

func newStats() *stats {
	st := &stats{}
	st.reset()
	return st
}

func (st *stats) reset() {
	st.s = Stats{ByStatus: map[int]int64{}, ByHost: map[string]int64{}, OffScopeHosts: map[string]int64{},
		Faults: map[string]int64{}, PeakInFlight: map[string]int{}, MinInterval: map[string]time.Duration{}}
	st.attempts, st.got503, st.hostN = map[string]int{}, map[string]int{}, map[string]int64{}
	st.inFlight, st.lastStart = map[string]int{}, map[string]time.Time{}
}

// begin records the start of a request and returns how many times url was requested
// before, how many requests host had before, and how many 503s url has had.
func (st *stats) begin(host, url string, now time.Time) (attempt int, hostN int64, had503 int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.s.Requests++
	attempt = st.attempts[url]
	if attempt > 0 {
		st.s.Repeats++
	}
	if attempt > 0 || len(st.attempts) < maxTracked {
		st.attempts[url] = attempt + 1
	}
	if _, ok := st.hostN[host]; ok || len(st.hostN) < maxTracked {
		hostN = st.hostN[host]
		st.hostN[host] = hostN + 1
		st.s.ByHost[host]++
		st.inFlight[host]++
		if st.inFlight[host] > st.s.PeakInFlight[host] {
			st.s.PeakInFlight[host] = st.inFlight[host]
		}
		if last, ok := st.lastStart[host]; ok {
			gap := now.Sub(last)
			if min, ok := st.s.MinInterval[host]; !ok || gap < min {
				st.s.MinInterval[host] = gap
			}
		}
		st.lastStart[host] = now
	}
	return attempt, hostN, st.got503[url]
}

func (st *stats) end(host string, status int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.s.ByStatus[status]++
	if st.inFlight[host] > 0 {
		st.inFlight[host]--
	}
}

func (st *stats) fault(name, url string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.s.Faults[name]++
	if name == "5xx" {
		st.got503[url]++
	}
}

func (st *stats) add(field *int64) {
	st.mu.Lock()
	*field++
	st.mu.Unlock()
}

func (st *stats) offScope(host string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.s.OffScope++
	if _, ok := st.s.OffScopeHosts[host]; ok || len(st.s.OffScopeHosts) < maxTracked {
		st.s.OffScopeHosts[host]++
	}
}

func (st *stats) snapshot() Stats {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.s
	s.URLs = len(st.attempts)
	s.ByStatus = maps.Clone(s.ByStatus)
	s.ByHost = maps.Clone(s.ByHost)
	s.OffScopeHosts = maps.Clone(s.OffScopeHosts)
	s.Faults = maps.Clone(s.Faults)
	s.PeakInFlight = maps.Clone(s.PeakInFlight)
	s.MinInterval = maps.Clone(s.MinInterval)
	return s
}

// Stats returns a summary of the requests answered so far.
func (n *Network) Stats() Stats { return n.stats.snapshot() }

// ResetStats forgets the request log, including the attempt counts that request faults are
// keyed on (so faults fire again as if the URLs were new). Article state (edits, deletions)
// is kept.
func (n *Network) ResetStats() {
	n.stats.mu.Lock()
	defer n.stats.mu.Unlock()
	n.stats.reset()
}

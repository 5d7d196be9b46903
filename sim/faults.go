package sim

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"strings"
	"time"
)

// Faults the simulator injects when they are named in Config.Faults. Each fires
// deterministically from the seed, the URL (host + request URI) and the attempt number (how
// many times that URL was requested before), and a bounded number of times per URL, so a
// polite client that retries always gets through. None fires unless named.
//
//	name           where                        what                                         bound per URL
//	429            network article pages        429 Too Many Requests, Retry-After: 1 or 2,  first attempt only
//	               (~10% of article URLs)       on the first attempt
//	5xx            any served host              bursts of 2–4 consecutive 503s to one host   at most 2 per URL
//	               (about every other window    (a window is 40 requests to that host)
//	               of 40 requests)
//	slow           ~5% of responses             delayed 1–3 s before answering               first attempt only
//	reset          ~3% of first attempts        headers and the start of the body sent,      first attempt only
//	                                            then the connection is dropped with a TCP
//	                                            RST (hijack, SO_LINGER 0, close)
//	truncate       ~3% of first attempts        Content-Length announces the whole body,     first attempt only
//	                                            two thirds are sent, then the connection
//	                                            closes
//	malformed      ~5% of articles              unclosed <p>, missing </body></html>, stray  (content)
//	                                            end tags, unquoted attributes, bare "&", an
//	                                            unclosed comment at the end — the data
//	                                            still parses
//	oversize       one article                  page padded to 20 MiB after </article>       (content)
//	redirectloop   one listed article           301 to itself, forever                       (content)
//	edit           ~5% of articles              v1 until first served, then v2: an extra     (content)
//	                                            closing paragraph, title changed on half
//	delete         ~3% of articles              served once, then 410 (half) or 404 (half),  (content)
//	                                            and gone from listings, API and sitemaps
//	robots         every site                   robots.txt disallows one day of one          (content)
//	                                            category ("/world/2024/05/01/"), and says
//	                                            Crawl-delay: 1
//	nositemapline  every site                   robots.txt has no Sitemap: line (the         (content)
//	                                            sitemaps stay where they were)
//	hostile        ~5% of articles              <script>, on* handlers, javascript: links,   (content)
//	                                            meta refresh, iframes, CSS overlays in the
//	                                            body; the visible text is unchanged
//	all            everything above
//
// Content faults are chosen by hashing the article key, not by the world's random stream,
// so switching faults on or off never changes the rest of the world.
const (
	f429 fault = 1 << iota
	f5xx
	fSlow
	fReset
	fTruncate
	fMalformed
	fOversize
	fRedirectLoop
	fEdit
	fDelete
	fRobots
	fNoSitemapLine
	fHostile
)

type fault uint32

var faultNames = map[string]fault{
	"429": f429, "5xx": f5xx, "slow": fSlow, "reset": fReset, "truncate": fTruncate,
	"malformed": fMalformed, "oversize": fOversize, "redirectloop": fRedirectLoop,
	"edit": fEdit, "delete": fDelete, "robots": fRobots, "nositemapline": fNoSitemapLine,
	"hostile": fHostile,
}

// FaultNames lists the fault names Config.Faults accepts, besides "all".
func FaultNames() []string {
	var ns []string
	for n := range faultNames {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

func (f fault) has(g fault) bool { return f&g != 0 }

// names lists the faults set in f, in FaultNames order.
func (f fault) names() []string {
	var out []string
	for _, n := range FaultNames() {
		if f.has(faultNames[n]) {
			out = append(out, n)
		}
	}
	return out
}

func parseFaults(list []string) (fault, error) {
	var f fault
	var unknown []string
	for _, item := range list {
		for _, n := range strings.Split(item, ",") {
			n = strings.ToLower(strings.TrimSpace(n))
			switch {
			case n == "":
			case n == "all":
				for _, g := range faultNames {
					f |= g
				}
			case faultNames[n] != 0:
				f |= faultNames[n]
			default:
				unknown = append(unknown, n)
			}
		}
	}
	if len(unknown) > 0 {
		return 0, fmt.Errorf("unknown fault(s) %s (known: all, %s)", strings.Join(unknown, ", "),
			strings.Join(FaultNames(), ", "))
	}
	return f, nil
}

// Rates of the probabilistic faults.
const (
	rate429       = 0.10
	rateSlow      = 0.05
	rateReset     = 0.03
	rateTruncate  = 0.03
	rateMalformed = 0.05
	rateHostile   = 0.05
	rateEdit      = 0.05
	rateDelete    = 0.03

	burstWindow  = 40 // requests to one host per 5xx window
	maxBurstPer  = 2  // 503s one URL may receive
	slowMin      = time.Second
	slowSpread   = 2 * time.Second
	oversizeSize = 20 << 20
)

// roll maps (seed, parts) to a uniform number in [0, 1): the simulator's only source of
// per-URL and per-article chance, so that decisions are reproducible and independent of the
// order in which requests arrive.
func roll(seed int64, parts ...string) float64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(seed))
	h.Write(b[:])
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	x := h.Sum64()
	// splitmix64 finaliser: FNV's low bits are poorly mixed for short inputs.
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

// requestFaults are the per-request decisions for one attempt at one URL.
type requestFaults struct {
	slow     time.Duration
	burst    bool
	reset    bool
	tooMany  int // Retry-After seconds, 0 for none
	truncate bool
}

// decide computes which request faults fire for attempt number attempt (0 for the first) at
// url on host, given the host's request counter hostN and the number of 503s this URL has
// already had.
func (n *Network) decide(host, url string, attempt int, hostN int64, had503 int, article bool) requestFaults {
	var d requestFaults
	f, seed := n.faults, n.cfg.Seed
	if f == 0 {
		return d
	}
	a := fmt.Sprint(attempt)
	if f.has(fSlow) && attempt == 0 {
		if r := roll(seed, "slow", url); r < rateSlow {
			d.slow = slowMin + time.Duration(r/rateSlow*float64(slowSpread))
		}
	}
	if f.has(f5xx) && had503 < maxBurstPer && inBurst(seed, host, hostN) {
		d.burst = true
	}
	if attempt == 0 {
		d.reset = f.has(fReset) && roll(seed, "reset", url, a) < rateReset
		if f.has(f429) && article {
			if r := roll(seed, "429", url, a); r < rate429 {
				d.tooMany = 1 + int(math.Floor(r/rate429*2))
			}
		}
		d.truncate = f.has(fTruncate) && roll(seed, "truncate", url, a) < rateTruncate
	}
	return d
}

// inBurst reports whether the hostN-th request (0-based) to host falls in a 503 burst:
// about every other window of burstWindow requests holds one burst of 2–4 requests.
func inBurst(seed int64, host string, hostN int64) bool {
	w := hostN / burstWindow
	r := roll(seed, "5xx", host, fmt.Sprint(w))
	if r >= 0.5 {
		return false
	}
	r *= 2 // uniform again in [0, 1)
	start := int64(r * (burstWindow - 4))
	length := 2 + int64(roll(seed, "5xx-len", host, fmt.Sprint(w))*3)
	off := hostN % burstWindow
	return off >= start && off < start+length
}

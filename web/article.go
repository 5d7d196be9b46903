package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pravda-archive/pravda/catalog"
)

// parseArticlePath reads SITE/ID, where the site may itself hold slashes
// ("canada/fr/1234"): the last segment is the id.
func parseArticlePath(p string) (site string, id int64, err error) {
	p = strings.Trim(p, "/")
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "", 0, notFoundf("want /articles/SITE/ID, e.g. /articles/japan/1867157")
	}
	site = p[:i]
	id, perr := strconv.ParseInt(p[i+1:], 10, 64)
	if perr != nil || id <= 0 {
		return "", 0, notFoundf("article id %q: want a positive number", clipText(p[i+1:], 30))
	}
	if len(site) > maxValueLen {
		return "", 0, notFoundf("no such site")
	}
	return site, id, nil
}

func (s *Server) loadArticle(ctx context.Context, path string) (*catalog.Article, error) {
	site, id, err := parseArticlePath(path)
	if err != nil {
		return nil, err
	}
	a, err := s.cat.Article(ctx, site, id)
	if errors.Is(err, catalog.ErrNotFound) {
		return nil, notFoundf("no article %s:%d in the archive", clipText(site, 60), id)
	}
	return a, err
}

// JSON views of catalog records, with stable snake_case names.

type articleJSON struct {
	Key           string         `json:"key"`
	Site          string         `json:"site"`
	ID            int64          `json:"id"`
	URL           string         `json:"url"`
	CanonicalURL  string         `json:"canonical_url"`
	Lang          string         `json:"lang"`
	Category      string         `json:"category"`
	Title         string         `json:"title"`
	Published     *time.Time     `json:"published"`
	PublishedDay  string         `json:"published_day"`
	FirstSeen     time.Time      `json:"first_seen"`
	LastSeen      time.Time      `json:"last_seen"`
	DeletedAt     *time.Time     `json:"deleted_at"`
	DeleteStatus  int            `json:"delete_status,omitempty"`
	SourceTitle   string         `json:"source_title"`
	SourceURL     string         `json:"source_url"`
	OGTitle       string         `json:"og_title"`
	OGDescription string         `json:"og_description"`
	Origin        *originJSON    `json:"origin"`
	Hops          []hopJSON      `json:"hops"`
	Story         *storyJSON     `json:"story"`
	Alternates    []alternateRef `json:"alternates"`
	Images        []imageRef     `json:"images"`
	Versions      []versionJSON  `json:"versions"`
	Page          string         `json:"page"`
}

type originJSON struct {
	Kind     string `json:"kind"`
	Outlet   string `json:"outlet,omitempty"`
	Owner    string `json:"owner,omitempty"`
	Channel  string `json:"channel,omitempty"`
	Post     string `json:"post,omitempty"`
	Platform string `json:"platform,omitempty"`
	URL      string `json:"url,omitempty"`
	Site     string `json:"site,omitempty"`
	ArtID    int64  `json:"art_id,omitempty"`
	Page     string `json:"page,omitempty"`
}

type hopJSON struct {
	N          int          `json:"n"`
	Kind       string       `json:"kind"`
	URL        string       `json:"url"`
	Channel    string       `json:"channel,omitempty"`
	Post       string       `json:"post,omitempty"`
	Outlet     string       `json:"outlet,omitempty"`
	Evidence   string       `json:"evidence"`
	Capture    *captureJSON `json:"capture,omitempty"`
	OriginTime *time.Time   `json:"origin_time,omitempty"`
	LagSeconds *int64       `json:"lag_seconds,omitempty"`
}

type captureJSON struct {
	File   string `json:"file"`
	Offset int64  `json:"offset"`
	Length int64  `json:"length,omitempty"`
	Replay string `json:"replay"`
	Raw    string `json:"raw"`
}

type versionJSON struct {
	N             int          `json:"n"`
	CapturedAt    time.Time    `json:"captured_at"`
	URL           string       `json:"url"`
	Status        int          `json:"status"`
	BodyHash      string       `json:"body_hash"`
	Title         string       `json:"title"`
	Text          string       `json:"text"`
	RecordID      string       `json:"record_id,omitempty"`
	PayloadDigest string       `json:"payload_digest,omitempty"`
	Capture       *captureJSON `json:"capture,omitempty"`
}

type alternateRef struct {
	Lang string `json:"lang"`
	URL  string `json:"url"`
}

type imageRef struct {
	URL string `json:"url"`
	MD5 string `json:"md5,omitempty"`
}

type storyJSON struct {
	ID        int64         `json:"id"`
	Method    string        `json:"method"`
	CreatedAt time.Time     `json:"created_at"`
	Members   []summaryJSON `json:"members"`
	Page      string        `json:"page"`
}

type summaryJSON struct {
	Key          string     `json:"key"`
	Site         string     `json:"site"`
	ID           int64      `json:"id"`
	Lang         string     `json:"lang"`
	Title        string     `json:"title"`
	Published    *time.Time `json:"published"`
	PublishedDay string     `json:"published_day"`
	URL          string     `json:"url"`
	Origin       *originRef `json:"origin,omitempty"`
	StoryID      int64      `json:"story_id,omitempty"`
	Deleted      bool       `json:"deleted,omitempty"`
	LagSeconds   *int64     `json:"lag_seconds,omitempty"`
	Page         string     `json:"page"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func captureOf(file string, off, length int64) *captureJSON {
	if file == "" {
		return nil
	}
	return &captureJSON{File: file, Offset: off, Length: length,
		Replay: capturePath(file, off), Raw: capturePath(file, off) + "/raw"}
}

func summaryOf(sm catalog.Summary) summaryJSON {
	out := summaryJSON{Key: sm.Site + ":" + itoa(sm.ID), Site: sm.Site, ID: sm.ID, Lang: sm.Lang, Title: sm.Title,
		Published: timePtr(sm.Published), PublishedDay: sm.PublishedDay, URL: sm.URL, Origin: refOf(sm.Origin),
		StoryID: sm.StoryID, Deleted: !sm.DeletedAt.IsZero(), Page: articlePath(sm.Site, sm.ID)}
	if sm.HasLag {
		l := int64(sm.Lag / time.Second)
		out.LagSeconds = &l
	}
	return out
}

func summariesOf(in []catalog.Summary) []summaryJSON {
	out := make([]summaryJSON, 0, len(in))
	for _, sm := range in {
		out = append(out, summaryOf(sm))
	}
	return out
}

func originOf(o catalog.Origin) *originJSON {
	if o.Kind == "" {
		return nil
	}
	out := &originJSON{Kind: o.Kind, Outlet: o.Outlet, Owner: o.Owner, Channel: o.Channel, Post: o.Post,
		Platform: o.Platform, URL: o.URL, Site: o.Site, ArtID: o.ArtID}
	if r := refOf(o); r != nil {
		out.Page = r.Page
	}
	return out
}

func (s *Server) articleJSON(ctx context.Context, a *catalog.Article) (*articleJSON, error) {
	out := &articleJSON{
		Key: a.Site + ":" + itoa(a.ID), Site: a.Site, ID: a.ID, URL: a.URL, CanonicalURL: a.CanonicalURL,
		Lang: a.Lang, Category: a.Category, Title: a.Title, Published: timePtr(a.Published),
		PublishedDay: a.PublishedDay, FirstSeen: a.FirstSeen, LastSeen: a.LastSeen, DeletedAt: timePtr(a.DeletedAt),
		DeleteStatus: a.DeleteStatus, SourceTitle: a.SourceTitle, SourceURL: a.SourceURL, OGTitle: a.OGTitle,
		OGDescription: a.OGDescription, Origin: originOf(a.Origin), Hops: []hopJSON{},
		Alternates: []alternateRef{}, Images: []imageRef{}, Versions: []versionJSON{}, Page: articlePath(a.Site, a.ID),
	}
	for _, h := range a.Hops {
		hj := hopJSON{N: h.N, Kind: h.Kind, URL: h.URL, Channel: h.Channel, Post: h.Post, Outlet: h.Outlet,
			Evidence: h.Evidence, Capture: captureOf(h.WARCFile, h.WARCOffset, 0), OriginTime: timePtr(h.OriginTime)}
		if !h.OriginTime.IsZero() {
			l := int64(h.Lag / time.Second)
			hj.LagSeconds = &l
		}
		out.Hops = append(out.Hops, hj)
	}
	for _, l := range a.Alternates {
		out.Alternates = append(out.Alternates, alternateRef{l.Lang, l.URL})
	}
	for _, im := range a.Images {
		out.Images = append(out.Images, imageRef{im.URL, im.MD5})
	}
	for _, v := range a.Versions {
		out.Versions = append(out.Versions, versionJSON{N: v.N, CapturedAt: v.CapturedAt, URL: v.URL, Status: v.Status,
			BodyHash: v.BodyHash, Title: v.Title, Text: v.Text, RecordID: v.RecordID, PayloadDigest: v.PayloadDigest,
			Capture: captureOf(v.WARCFile, v.WARCOffset, v.WARCLength)})
	}
	if a.StoryID != 0 {
		st, err := s.storyJSON(ctx, a.StoryID)
		switch {
		case errors.Is(err, catalog.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			out.Story = st
		}
	}
	return out, nil
}

func (s *Server) apiArticle(w http.ResponseWriter, r *http.Request) {
	a, err := s.loadArticle(r.Context(), r.PathValue("path"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out, err := s.articleJSON(r.Context(), a)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// articleView is the article page's data.
type articleView struct {
	A        *catalog.Article
	Key      string
	Text     string // the current version's text
	Origin   *originRef
	TotalLag string // from the chain's end to the article
	Story    *storyJSON
	Sisters  []summaryJSON // the story's other editions
	Versions []versionView // newest first
	Replay   string        // the current capture, for the sandboxed iframe
	Raw      string
}

type versionView struct {
	V          catalog.Version
	Replay     string
	Raw        string
	TitleDiff  []span
	TextDiff   []span
	HasChanges bool
	First      bool
}

func (s *Server) articlePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := s.loadArticle(ctx, r.PathValue("path"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := articleView{A: a, Key: a.Site + ":" + itoa(a.ID), Origin: refOf(a.Origin)}
	if !a.Published.IsZero() { // origin times in the article's zone, to compare at a glance
		for i := range a.Hops {
			if !a.Hops[i].OriginTime.IsZero() {
				a.Hops[i].OriginTime = a.Hops[i].OriginTime.In(a.Published.Location())
			}
		}
	}
	for i := len(a.Versions) - 1; i >= 0; i-- {
		cur := a.Versions[i]
		vv := versionView{V: cur, First: i == 0}
		if cur.WARCFile != "" {
			vv.Replay, vv.Raw = capturePath(cur.WARCFile, cur.WARCOffset), capturePath(cur.WARCFile, cur.WARCOffset)+"/raw"
		}
		if i > 0 {
			prev := a.Versions[i-1]
			vv.TitleDiff = diffText(prev.Title, cur.Title)
			vv.TextDiff = diffText(prev.Text, cur.Text)
			vv.HasChanges = changed(vv.TitleDiff) || changed(vv.TextDiff)
		}
		v.Versions = append(v.Versions, vv)
		if cur.N == a.CurrentVersion {
			v.Text = cur.Text
			v.Replay, v.Raw = vv.Replay, vv.Raw
		}
	}
	if v.Text == "" && len(a.Versions) > 0 {
		last := a.Versions[len(a.Versions)-1]
		v.Text, v.Replay, v.Raw = last.Text, capturePath(last.WARCFile, last.WARCOffset), capturePath(last.WARCFile, last.WARCOffset)+"/raw"
		if last.WARCFile == "" {
			v.Replay, v.Raw = "", ""
		}
	}
	// The total lag is the last hop's that has one: the chain's end is the
	// true origin.
	for i := len(a.Hops) - 1; i >= 0; i-- {
		if !a.Hops[i].OriginTime.IsZero() {
			v.TotalLag = fmtLag(a.Hops[i].Lag)
			break
		}
	}
	if a.StoryID != 0 {
		st, err := s.storyJSON(ctx, a.StoryID)
		switch {
		case errors.Is(err, catalog.ErrNotFound):
		case err != nil:
			s.pageError(w, r, err)
			return
		default:
			v.Story = st
			for _, m := range st.Members {
				if m.Site != a.Site || m.ID != a.ID {
					v.Sisters = append(v.Sisters, m)
				}
			}
		}
	}
	s.render(w, r, http.StatusOK, "article", page{Title: a.Title, Lang: a.Lang, Data: v})
}

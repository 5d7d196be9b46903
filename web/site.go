package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/index"
)

// siteView is the site page: volume over time, languages, top origins and
// the newest articles.
type siteView struct {
	Name     string
	Display  string
	Host     string
	Langs    []string
	Country  string
	Kind     string
	Status   string
	From, To string
	Articles int64
	Timeline template.HTML
	Origins  []originCount
	LangRows []countRow
	Recent   []hit
	NoIndex  bool
	Search   string
}

type originCount struct {
	Kind  string
	ID    string
	N     int64
	Share float64
	Page  string
}

const topOrigins = 20

func (s *Server) sitePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := strings.Trim(r.PathValue("site"), "/")
	f, err := parseFilters(r.URL.Query())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v, err := s.site(ctx, name, filters{From: f.From, To: f.To})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "site", page{Title: v.Display, Data: v})
}

func (s *Server) site(ctx context.Context, name string, f filters) (*siteView, error) {
	if name == "" || len(name) > maxValueLen {
		return nil, notFoundf("no such site")
	}
	v := &siteView{Name: name, Display: name, Search: "/?" + url.Values{"site": {name}}.Encode()}
	known := false
	if st, ok := s.reg.Site(name); ok && st.Name == name {
		v.Display, v.Host, v.Langs, v.Country, v.Kind, v.Status = st.Display, st.Host, st.Langs, st.Country, st.Kind, st.Status
		known = true
	}
	f, err := s.window(ctx, f)
	if err != nil {
		return nil, err
	}
	v.From, v.To = f.From, f.To
	if f.From != "" {
		c, err := s.count(ctx, filters{Sites: []string{name}, From: f.From, To: f.To}, "day")
		if err != nil {
			return nil, err
		}
		v.Articles = c.total()
		// The share of the whole network's daily output.
		all, err := s.totals(ctx, f.From, f.To)
		if err != nil {
			return nil, err
		}
		tot := map[string]int64{}
		for _, r := range all {
			tot[r.Day] = r.N
		}
		for i := range c.Rows {
			c.Rows[i] = ratioRow(c.Rows[i].Key, c.Rows[i].Count, tot[c.Rows[i].Key])
		}
		v.Timeline = timelineSVG(c.Rows, true, "Articles per day on "+name+", and their share of the network")

		q := catalog.CountQuery{From: f.From, To: f.To, Sites: []string{name}, Limit: topOrigins}
		ocs, err := s.originCounts(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, o := range ocs {
			oc := originCount{Kind: o.Kind, ID: o.ID, N: o.N}
			if v.Articles > 0 {
				oc.Share = float64(o.N) / float64(v.Articles)
			}
			switch {
			case o.ID == "":
			case isChannelKind(o.Kind):
				oc.Page = originPath("channel", o.ID)
			default:
				oc.Page = originPath("outlet", o.ID)
			}
			v.Origins = append(v.Origins, oc)
		}
		q.Limit, q.By = 0, "lang"
		langs, err := s.dailyCounts(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, l := range langs {
			v.LangRows = append(v.LangRows, ratioRow(l.Key, l.N, v.Articles))
		}
	}
	if !known && v.Articles == 0 {
		return nil, notFoundf("no site %q in the seeds or the archive", clipText(name, 60))
	}
	if s.idx == nil {
		v.NoIndex = true
		return v, nil
	}
	res, err := s.idx.Search(ctx, index.Request{Sites: []string{name}, Sort: index.SortDateDesc, Size: recentSize})
	if err != nil {
		return nil, err
	}
	if v.Recent, err = s.hits(ctx, res.Hits); err != nil {
		return nil, err
	}
	return v, nil
}

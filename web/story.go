package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/pravda-archive/pravda/catalog"
)

func (s *Server) storyJSON(ctx context.Context, id int64) (*storyJSON, error) {
	info, members, err := s.cat.Story(ctx, id)
	if err != nil {
		return nil, err
	}
	return &storyJSON{ID: info.ID, Method: info.Method, CreatedAt: info.CreatedAt,
		Members: summariesOf(members), Page: "/stories/" + itoa(info.ID)}, nil
}

func (s *Server) loadStory(ctx context.Context, raw string) (*storyJSON, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil, notFoundf("story id %q: want a positive number", clipText(raw, 30))
	}
	st, err := s.storyJSON(ctx, id)
	if errors.Is(err, catalog.ErrNotFound) {
		return nil, notFoundf("no story %d", id)
	}
	return st, err
}

func (s *Server) apiStory(w http.ResponseWriter, r *http.Request) {
	st, err := s.loadStory(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) storyPage(w http.ResponseWriter, r *http.Request) {
	st, err := s.loadStory(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "story", page{Title: "Story " + itoa(st.ID), Data: st})
}

package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit. Every PutArticle and PutArticles queues its captures; the
// first caller to find no commit in progress becomes the leader and records
// everything queued in one transaction, each caller's captures under their
// own savepoint, while later callers queue up for the next leader. A commit
// costs about as much as the statements of an article (a WAL frame for every
// page touched, and checkpoints), so concurrent crawler workers share
// commits; a lone caller leads its own group with no goroutine hand-off.
//
// One caller's failure rolls back its own savepoint only. A failed commit
// fails every caller in the group: none of them was recorded.

// maxGroup bounds the captures one leader takes, and so how long the writer
// connection is held before other processes see progress.
const maxGroup = 256

// linger is how long a leader waits for more captures when the last group was
// shared, so that concurrent writers share commits rather than queueing for
// them one or two at a time. A commit writes a WAL frame for every page it
// touched, and most of an article's pages (index leaves, counts, the queue) are
// the same as its neighbours': sharing a commit among 16 workers cut the WAL
// written per article fourfold. A lone writer (its last group had one job)
// never waits.
const linger = 5 * time.Millisecond

// States of a queued job.
const (
	jobQueued int32 = iota
	jobTaken
	jobAbandoned
)

type putJob struct {
	ctx   context.Context
	caps  []Capture
	apply func(context.Context, *sql.Tx) error // instead of caps: any other write
	res   []PutResult
	err   error
	state atomic.Int32
	done  chan struct{} // closed once taken and finished
}

type committer struct {
	mu     sync.Mutex // guards queue and closed
	queue  []*putJob
	closed bool
	leader chan struct{} // a one-slot semaphore: held while committing

	groups, jobs atomic.Int64 // committed so far, for tests and tuning
	lastJobs     atomic.Int64 // jobs in the last group
}

func (c *Catalog) startCommitter() {
	c.commit.leader = make(chan struct{}, 1)
}

func (c *Catalog) submit(ctx context.Context, caps []Capture) ([]PutResult, error) {
	return c.enqueue(ctx, &putJob{ctx: ctx, caps: caps, done: make(chan struct{})})
}

// submitFunc runs apply inside the next group commit, under its own savepoint.
func (c *Catalog) submitFunc(ctx context.Context, apply func(context.Context, *sql.Tx) error) error {
	_, err := c.enqueue(ctx, &putJob{ctx: ctx, apply: apply, done: make(chan struct{})})
	return err
}

// size is what a job counts towards maxGroup.
func (j *putJob) size() int { return max(1, len(j.caps)) }

func (c *Catalog) enqueue(ctx context.Context, j *putJob) ([]PutResult, error) {
	cm := &c.commit
	cm.mu.Lock()
	if cm.closed {
		cm.mu.Unlock()
		return nil, ErrClosed
	}
	cm.queue = append(cm.queue, j)
	cm.mu.Unlock()

	for {
		select {
		case <-j.done:
			return j.res, j.err
		case cm.leader <- struct{}{}:
			if j.state.Load() == jobQueued {
				c.lead()
			}
			<-cm.leader
		case <-ctx.Done():
			if j.state.CompareAndSwap(jobQueued, jobAbandoned) {
				return nil, ctx.Err()
			}
			// A leader took it: wait, so the caller knows whether it
			// was recorded.
			<-j.done
			return j.res, j.err
		}
	}
}

// lead commits the queued jobs, oldest first, up to maxGroup captures. The
// caller holds the leader slot.
func (c *Catalog) lead() {
	cm := &c.commit
	if last := int(cm.lastJobs.Load()); last > 1 {
		cm.mu.Lock()
		short := len(cm.queue) < last
		cm.mu.Unlock()
		if short {
			time.Sleep(linger)
		}
	}
	cm.mu.Lock()
	var group []*putJob
	n, k := 0, 0
	for ; k < len(cm.queue) && (n == 0 || n+cm.queue[k].size() <= maxGroup); k++ {
		j := cm.queue[k]
		if j.state.CompareAndSwap(jobQueued, jobTaken) {
			group = append(group, j)
			n += j.size()
		}
	}
	// Shift the rest down and clear what is left behind: a slice that still points at
	// the taken jobs (even one of length 0) keeps them, their captures and the
	// closures of their writes alive until the next group, which is a whole regroup
	// window's articles when the last write was one of its batches.
	rest := copy(cm.queue, cm.queue[k:])
	clear(cm.queue[rest:])
	cm.queue = cm.queue[:rest]
	cm.mu.Unlock()
	if len(group) > 0 {
		c.commitGroup(group)
		cm.lastJobs.Store(int64(len(group)))
		cm.groups.Add(1)
		cm.jobs.Add(int64(len(group)))
	}
}

// stopCommitter finishes the queued jobs; later submits get ErrClosed. It
// keeps the leader slot, so no caller commits after it returns.
func (c *Catalog) stopCommitter() {
	cm := &c.commit
	cm.mu.Lock()
	cm.closed = true
	cm.mu.Unlock()
	if cm.leader == nil {
		return
	}
	cm.leader <- struct{}{}
	for {
		cm.mu.Lock()
		empty := len(cm.queue) == 0
		cm.mu.Unlock()
		if empty {
			return
		}
		c.lead()
	}
}

func (c *Catalog) commitGroup(group []*putJob) {
	defer func() {
		for _, j := range group {
			if j.err != nil {
				j.res = nil
			}
			close(j.done)
		}
	}()
	var live []*putJob
	for _, j := range group {
		if err := j.ctx.Err(); err != nil {
			j.err = err
		} else {
			live = append(live, j)
		}
	}
	if len(live) == 0 {
		return
	}
	failAll := func(err error) {
		for _, j := range live {
			if j.err == nil {
				j.err = err
			}
		}
	}

	// The transaction serves several callers, so no one caller's context
	// may abort it; busy_timeout bounds the wait for another process's lock.
	ctx := context.Background()
	tx, err := c.w.BeginTx(ctx, nil)
	if err != nil {
		failAll(fmt.Errorf("begin: %w", err))
		return
	}
	defer tx.Rollback()

	savepoints := len(live) > 1
	for _, j := range live {
		if savepoints {
			if _, err := tx.StmtContext(ctx, c.st.savepoint).ExecContext(ctx); err != nil {
				failAll(fmt.Errorf("savepoint: %w", err))
				return
			}
		}
		if j.apply != nil {
			j.err = j.apply(ctx, tx)
		}
		j.res = make([]PutResult, len(j.caps))
		for i := range j.caps {
			a, v := &j.caps[i].Article, &j.caps[i].Version
			if j.res[i], err = c.put(ctx, tx, a, v); err != nil {
				j.err = fmt.Errorf("%s/%d: %w", a.Site, a.ID, err)
				break
			}
			// The page the frontier asked for is stored: say so in the same commit, so
			// the crawler's MarkDone that follows finds nothing to write.
			if _, err = tx.StmtContext(ctx, c.st.frontierDone).ExecContext(ctx, formatTime(time.Now()), v.URL); err != nil {
				j.err = fmt.Errorf("%s/%d: frontier: %w", a.Site, a.ID, err)
				break
			}
		}
		if !savepoints {
			if j.err != nil {
				return // the deferred rollback undoes it
			}
			break
		}
		if j.err != nil {
			if _, err := tx.StmtContext(ctx, c.st.rollbackTo).ExecContext(ctx); err != nil {
				// SQLite may have rolled back the whole transaction
				// (a full disk, I/O error): nothing here can be trusted.
				failAll(fmt.Errorf("roll back to savepoint: %w", err))
				return
			}
		}
		if _, err := tx.StmtContext(ctx, c.st.release).ExecContext(ctx); err != nil {
			failAll(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		failAll(fmt.Errorf("commit: %w", err))
	}
}

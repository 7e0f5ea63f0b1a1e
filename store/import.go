package store

// Importing customers from a spreadsheet (导入客户) and reverting an import
// (撤销导入). Every row is judged by the entry form's rules — the functions
// createCustomerTx calls for validation, sources and tags, placement and
// duplicates (防撞单) — and written as createCustomerTx writes a customer,
// by statements prepared once per batch of rows (import_write.go); a
// refused row is skipped and reported, never half-written.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Import statuses.
const (
	ImportRunning  = "running"
	ImportDone     = "done"
	ImportFailed   = "failed"
	ImportReverted = "reverted"
)

// Kinds of skipped rows.
const (
	SkipDuplicate = "duplicate"
	SkipError     = "error"
)

// importBatch is how many rows one write transaction takes. Between
// batches the writer is free, so other users' saves wait at most one batch
// (a few hundred milliseconds) while a 100,000-row import runs.
const importBatch = 500

// ImportRequest is one import: the rows of a parsed file, which field each
// column goes to, and optionally the pool (公海) the customers go into;
// without a pool the importing user owns them.
type ImportRequest struct {
	FileName string
	Header   []string
	Rows     []ImportRow
	Mapping  []string
	PoolID   *int64
}

// ImportInfo is an import as listed: who, when, which file, the counts and
// the status.
type ImportInfo struct {
	ID         int64      `json:"id"`
	User       Ref        `json:"user"`
	FileName   string     `json:"file_name"`
	Pool       *Ref       `json:"pool"`
	Status     string     `json:"status"`
	TotalRows  int        `json:"total_rows"`
	DoneRows   int        `json:"done_rows"`
	Created    int        `json:"created"`
	Duplicates int        `json:"duplicates"`
	Errors     int        `json:"errors"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at"`
	RevertedAt *time.Time `json:"reverted_at"`
	// Reverting is the progress of a revert under way, else nil.
	Reverting *Progress `json:"reverting"`
}

// Progress counts the work done of a long task.
type Progress struct {
	Done  int `json:"done"`
	Total int `json:"total"`
}

// Percent is the share done, for a progress bar.
func (p *Progress) Percent() int {
	if p.Total == 0 {
		return 0
	}
	return p.Done * 100 / p.Total
}

// Percent is the share of rows processed, for the progress bar.
func (i *ImportInfo) Percent() int {
	if i.TotalRows == 0 {
		return 100
	}
	return i.DoneRows * 100 / i.TotalRows
}

// ImportSkip is a row the import left out and why. The reason is a
// catalogue key with its arguments, translated when shown.
type ImportSkip struct {
	Row    int            `json:"row"`
	Kind   string         `json:"kind"`
	Reason Msg            `json:"reason"`
	Fields map[string]Msg `json:"fields,omitempty"`
	// DuplicateOf is the existing customer a duplicate collides with;
	// DuplicateRow the earlier row of the same file that created it.
	DuplicateOf  *DuplicateOf `json:"duplicate_of,omitempty"`
	DuplicateRow int          `json:"duplicate_row,omitempty"`
	Cells        []string     `json:"cells"`
}

// KeptCustomer is a customer a revert left in place because someone worked
// on it after the import.
type KeptCustomer struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// ImportReport is the detail of a finished import, stored with it: the
// file's header and mapping, the skipped rows, and after a revert what was
// removed and what was kept.
type ImportReport struct {
	Header  []string       `json:"header"`
	Mapping []string       `json:"mapping"`
	Skipped []ImportSkip   `json:"skipped"`
	Failure *Msg           `json:"failure,omitempty"`
	Removed int            `json:"removed,omitempty"`
	Kept    []KeptCustomer `json:"kept,omitempty"`
}

// ImportResult is what an import did.
type ImportResult struct {
	ID      int64
	Created int
	Skipped []ImportSkip
}

// RevertResult is what a revert did.
type RevertResult struct {
	Removed int            `json:"removed"`
	Kept    []KeptCustomer `json:"kept"`
}

// live marks the imports and reverts running in this process. An import
// row still "running" that is not here was cut off by a restart.
var live sync.Map // liveKey → struct{} for an import, *revertState for a revert

type liveKey struct {
	s    *Store
	id   int64
	kind string
}

// Import runs a whole import and waits for it: the JSON API uses it.
func (s *Store) Import(ctx context.Context, actor *User, req ImportRequest, progress func(done, total int)) (*ImportResult, error) {
	id, err := s.BeginImport(ctx, actor, req)
	if err != nil {
		return nil, err
	}
	return s.RunImport(ctx, actor, id, req, progress)
}

// BeginImport checks the request and records the import (status running);
// RunImport must follow, typically in the background.
func (s *Store) BeginImport(ctx context.Context, actor *User, req ImportRequest) (int64, error) {
	if actor == nil {
		return 0, ErrForbidden
	}
	if len(req.Rows) == 0 {
		return 0, importError("err.import_no_rows")
	}
	if len(req.Rows) > MaxImportRows {
		return 0, importError("err.import_too_many_rows", "Max", MaxImportRows)
	}
	if err := checkMapping(req.Mapping); err != nil {
		return 0, err
	}
	if req.PoolID != nil {
		if !actor.IsManager() {
			return 0, ErrForbidden
		}
		ids, err := s.visiblePoolIDs(ctx, s.r, actor)
		if err != nil {
			return 0, err
		}
		if !containsID(ids, *req.PoolID) {
			return 0, ErrNotFound
		}
	}
	name := filepath.Base(strings.ReplaceAll(strings.TrimSpace(req.FileName), `\`, "/"))
	if name == "." || name == "/" || name == "" {
		name = "import"
	}
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO imports (user_id, file_name, pool_id, status, total_rows, created_at)
			VALUES (?, ?, ?, 'running', ?, ?)`, actor.ID, name, req.PoolID, len(req.Rows), s.now().Unix())
		if err != nil {
			return fmt.Errorf("store: begin import: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		// From before it is visible the import belongs to this process:
		// it is not "interrupted" while its goroutine starts.
		live.Store(liveKey{s, id, "import"}, struct{}{})
		return nil
	})
	if err != nil && id > 0 {
		live.Delete(liveKey{s, id, "import"})
	}
	return id, err
}

// checkMapping requires a name column and allows each field once.
func checkMapping(mapping []string) error {
	seen := map[string]bool{}
	for _, f := range mapping {
		if f == "" {
			continue
		}
		if !oneOf(f, ImportFields) {
			return importError("err.import_mapping_unknown", "Field", f)
		}
		if seen[f] {
			return &Error{Code: CodeInvalid, Msg: M("err.import_mapping_twice", "Field", f), Extra: map[string]any{"field": f}}
		}
		seen[f] = true
	}
	if !seen["name"] {
		return importError("err.import_no_name_column")
	}
	return nil
}

// RunImport inserts the rows of import id in batches of importBatch rows,
// one write transaction each; between batches other users' saves go
// through. progress (may be nil) hears after every batch. A refused row —
// invalid, unknown source or tag, duplicate of a customer or of an earlier
// row — is skipped and reported, and nothing of it stays written. A
// failure that is not a refusal (the disk, the database) stops the import
// with status failed; the batches already committed stay, and the import
// can be reverted.
func (s *Store) RunImport(ctx context.Context, actor *User, id int64, req ImportRequest, progress func(done, total int)) (*ImportResult, error) {
	key := liveKey{s, id, "import"}
	live.Store(key, struct{}{}) // already there when BeginImport made id
	defer live.Delete(key)

	run := &importRun{s: s, actor: actor, id: id, req: req, createdBy: map[int64]int{}, checked: map[string]*checkedValue{}}
	res := &ImportResult{ID: id, Skipped: []ImportSkip{}}
	total := len(req.Rows)
	// The checks that need no database (field formats, duplicate keys,
	// search documents) run one batch ahead on another goroutine, so they
	// overlap the writes.
	batches := make(chan []preparedRow, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(batches)
		for start := 0; start < total; start += importBatch {
			select {
			case batches <- run.prepareRows(req.Rows[start:min(start+importBatch, total)]):
			case <-stop:
				return
			}
		}
	}()
	done := 0
	for rows := range batches {
		start, end := done, done+len(rows)
		var b *importBatchResult
		err := s.tx(ctx, func(tx *sql.Tx) error {
			var err error
			b, err = run.batch(ctx, tx, rows)
			if err != nil {
				return err
			}
			d, e := countSkips(b.skipped)
			_, err = tx.ExecContext(ctx, `UPDATE imports SET done_rows = ?, created = created + ?, duplicates = duplicates + ?,
				errors = errors + ? WHERE id = ?`, end, len(b.created), d, e, id)
			return err
		})
		if err != nil {
			_ = s.finishImport(context.WithoutCancel(ctx), id, ImportFailed, req, res.Skipped, &Msg{Key: "err.import_failed"})
			return nil, fmt.Errorf("store: import %d rows %d-%d: %w", id, start+1, end, err)
		}
		// Only a committed batch counts: what a rolled-back batch saw
		// never happened.
		for cid, line := range b.created {
			run.createdBy[cid] = line
		}
		for k, v := range b.checked {
			run.checked[k] = v
		}
		res.Created += len(b.created)
		res.Skipped = append(res.Skipped, b.skipped...)
		done = end
		if progress != nil {
			progress(done, total)
		}
	}
	if err := s.finishImport(ctx, id, ImportDone, req, res.Skipped, nil); err != nil {
		return nil, err
	}
	return res, nil
}

func countSkips(skips []ImportSkip) (dup, bad int) {
	for _, sk := range skips {
		if sk.Kind == SkipDuplicate {
			dup++
		} else {
			bad++
		}
	}
	return dup, bad
}

// importRun is the state of one running import.
type importRun struct {
	s         *Store
	actor     *User
	id        int64
	req       ImportRequest
	createdBy map[int64]int // customer id → the file row that created it
	// checked remembers the verdict of checkSourceAndTags per distinct
	// source and tag, so a 100,000-row file with five sources asks five
	// times, not 100,000.
	checked map[string]*checkedValue
}

// checkedValue is the verdict on one source or tag name.
type checkedValue struct {
	refusal *Msg  // nil when the value may be used
	tagID   int64 // for a tag
}

type importBatchResult struct {
	created map[int64]int
	skipped []ImportSkip
	checked map[string]*checkedValue
}

// batch imports rows inside transaction tx. The rules are the entry
// form's, applied by the same functions createCustomerTx calls —
// validate, validateContact, checkSourceAndTags, placement,
// defaultPoolID, keysFor and duplicateError, with the unique index on the
// duplicate keys as the judge. A row is refused before any of it is
// written but its keys, which claimKeys takes back, so no savepoint is
// needed (a savepoint per row would also make SQLite flush the search
// index to disk row by row). A row that passes is buffered by importStmts,
// which writes what createCustomerTx writes, with multi-row statements at
// the end of the batch: that is what makes 100,000 rows take seconds, not
// minutes.
func (r *importRun) batch(ctx context.Context, tx *sql.Tx, rows []preparedRow) (*importBatchResult, error) {
	s := r.s
	b := &importBatchResult{created: map[int64]int{}, checked: map[string]*checkedValue{}}
	owner, pool, err := s.placement(ctx, tx, r.actor, CustomerInput{PoolID: r.req.PoolID}, false)
	if err != nil {
		return nil, err
	}
	home := pool
	if home == nil {
		if home, err = defaultPoolID(ctx, tx); err != nil {
			return nil, err
		}
	}
	st, err := prepareImport(ctx, tx)
	if err != nil {
		return nil, err
	}
	defer st.close()
	// Keys go in before their customer (claimKeys); SQLite checks the
	// foreign keys at commit instead, and resets this at commit.
	if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return nil, err
	}
	// Ids are given explicitly, the way SQLite would (the largest plus
	// one), so that the keys can name their customer before it is written.
	var lastID int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM customers`).Scan(&lastID); err != nil {
		return nil, fmt.Errorf("store: import ids: %w", err)
	}
	now := s.now().Unix()
	for i := range rows {
		p := &rows[i]
		row := p.row
		skip := &ImportSkip{Row: row.Line, Kind: SkipError, Cells: row.Cells}
		tagIDs, err := r.checkSourceAndTags(ctx, tx, b, p)
		if err != nil {
			return nil, err
		}
		if len(p.fe) > 0 {
			skip.Reason, skip.Fields = M("err.invalid"), p.fe
			b.skipped = append(b.skipped, *skip)
			continue
		}
		c := &importedCustomer{in: p.in, contact: p.contact, tagIDs: tagIDs, owner: owner, pool: pool, home: home,
			actorID: r.actor.ID, importID: r.id, now: now, keys: p.keys, doc: p.doc, bigrams: p.bigrams}
		id := lastID + 1
		dup, err := st.claimKeys(ctx, tx, id, c.keys)
		if err != nil {
			return nil, err
		}
		if dup != nil {
			skip.Kind, skip.Reason, skip.Fields = SkipDuplicate, dup.Msg, dup.Fields
			skip.DuplicateOf, _ = dup.Extra["duplicate_of"].(*DuplicateOf)
			if skip.DuplicateOf != nil {
				line, ok := r.createdBy[skip.DuplicateOf.ID]
				if !ok {
					line = b.created[skip.DuplicateOf.ID]
				}
				if line > 0 {
					skip.DuplicateRow = line
					skip.Reason = M("import.dup_in_file", "Row", line, "Name", skip.DuplicateOf.Name)
				}
			}
			b.skipped = append(b.skipped, *skip)
			continue
		}
		if err := st.insert(ctx, id, c); err != nil {
			return nil, fmt.Errorf("store: import row %d: %w", row.Line, err)
		}
		lastID = id
		b.created[id] = row.Line
	}
	if err := st.flush(ctx); err != nil {
		return nil, err
	}
	return b, nil
}

// preparedRow is a row with the checks done that need no database: its
// field-format refusals, and for a valid row its duplicate keys and search
// documents (computed with keysFor and searchDocs, as createCustomerTx
// does over the stored values).
type preparedRow struct {
	row          ImportRow
	in           CustomerInput
	contact      *ContactInput
	fe           fieldErrors
	keys         []dedupKey
	doc, bigrams string
}

// prepareRows applies the entry form's format rules (validate,
// validateContact) to rows. It touches no shared state, so it runs on its
// own goroutine.
func (r *importRun) prepareRows(rows []ImportRow) []preparedRow {
	out := make([]preparedRow, len(rows))
	for i, row := range rows {
		p := &out[i]
		p.row = row
		p.in, p.contact = importInput(row.Cells, r.req.Mapping)
		p.in.trim()
		p.fe = p.in.validate(true)
		if p.contact != nil {
			for f, m := range r.s.validateContact(p.contact, true) {
				p.fe["contact_"+f] = m
			}
		}
		if len(p.fe) > 0 {
			continue
		}
		email := NormalizeEmail(deref(p.in.Email))
		p.in.Email = &email
		var kc [][2]string
		var sc [][3]string
		if c := p.contact; c != nil {
			kc = [][2]string{{deref(c.Phone), deref(c.Email)}}
			sc = [][3]string{{deref(c.Name), deref(c.Phone), deref(c.Email)}}
		}
		p.keys = keysFor(deref(p.in.Name), deref(p.in.Phone), email, kc)
		p.doc, p.bigrams = searchDocs(deref(p.in.Name), deref(p.in.Phone), email, sc)
	}
	return out
}

// checkSourceAndTags refuses a row whose source or tags the administrator
// has not created (the rule of checkSourceAndTags, asked once per distinct
// value) and returns the ids of its tags.
func (r *importRun) checkSourceAndTags(ctx context.Context, tx *sql.Tx, b *importBatchResult, p *preparedRow) ([]int64, error) {
	in := &p.in
	if src := deref(in.Source); src != "" {
		v, err := r.checkValue(ctx, tx, b, "source", src)
		if err != nil {
			return nil, err
		}
		if v.refusal != nil {
			p.fe.add("source", v.refusal.Key, argPairs(v.refusal.Args)...)
		}
	}
	var tagIDs []int64
	if in.Tags != nil {
		for _, t := range *in.Tags {
			v, err := r.checkValue(ctx, tx, b, "tags", t)
			if err != nil {
				return nil, err
			}
			if v.refusal != nil {
				p.fe.add("tags", v.refusal.Key, argPairs(v.refusal.Args)...)
				continue
			}
			tagIDs = append(tagIDs, v.tagID)
		}
	}
	return tagIDs, nil
}

// checkValue asks checkSourceAndTags about one source or tag, once per
// import (per batch until the batch commits).
func (r *importRun) checkValue(ctx context.Context, tx *sql.Tx, b *importBatchResult, field, value string) (*checkedValue, error) {
	key := field + "\x00" + value
	if v, ok := r.checked[key]; ok {
		return v, nil
	}
	if v, ok := b.checked[key]; ok {
		return v, nil
	}
	var probe CustomerInput
	if field == "source" {
		probe.Source = &value
	} else {
		probe.Tags = &[]string{value}
	}
	fe := fieldErrors{}
	if err := checkSourceAndTags(ctx, tx, probe, fe); err != nil {
		return nil, err
	}
	v := &checkedValue{}
	if m, bad := fe[field]; bad {
		v.refusal = &m
	} else if field == "tags" {
		if err := tx.QueryRowContext(ctx, `SELECT id FROM tags WHERE name = ?`, value).Scan(&v.tagID); err != nil {
			return nil, fmt.Errorf("store: import tag %q: %w", value, err)
		}
	}
	b.checked[key] = v
	return v, nil
}

func argPairs(args map[string]any) []any {
	out := make([]any, 0, 2*len(args))
	for k, v := range args {
		out = append(out, k, v)
	}
	return out
}

// importInput turns the cells of a row into what the entry form would
// send. Only mapped, non-empty cells set a field; the primary contact is
// returned when a contact column has a value.
func importInput(cells, mapping []string) (CustomerInput, *ContactInput) {
	var in CustomerInput
	var c ContactInput
	hasContact := false
	for i, f := range mapping {
		if f == "" || i >= len(cells) || cells[i] == "" {
			continue
		}
		v := cells[i]
		switch f {
		case "level":
			v = importLevel(v)
		case "status":
			v = importStatus(v)
		case "tags":
			tags := splitTags(v)
			in.Tags = &tags
			continue
		case "contact_name":
			c.Name, hasContact = &v, true
			continue
		case "contact_phone":
			c.Phone, hasContact = &v, true
			continue
		case "contact_email":
			c.Email, hasContact = &v, true
			continue
		}
		if p := in.fieldPtr(f); p != nil {
			*p = &v
		}
	}
	if !hasContact {
		return in, nil
	}
	return in, &c
}

// fieldPtr returns the address of a text field's pointer, to set it.
func (in *CustomerInput) fieldPtr(name string) **string {
	switch name {
	case "name":
		return &in.Name
	case "phone":
		return &in.Phone
	case "email":
		return &in.Email
	case "website":
		return &in.Website
	case "industry":
		return &in.Industry
	case "level":
		return &in.Level
	case "source":
		return &in.Source
	case "region":
		return &in.Region
	case "address":
		return &in.Address
	case "status":
		return &in.Status
	case "notes":
		return &in.Notes
	}
	return nil
}

// splitTags splits a tags cell on the separators people type: , ， ; ； 、 |
func splitTags(v string) []string {
	parts := strings.FieldsFunc(v, func(r rune) bool {
		return strings.ContainsRune(",，;；、|", r)
	})
	out := []string{}
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// importLevel reads "a", "A级", "A类" as A.
func importLevel(v string) string {
	v = strings.ToUpper(strings.TrimSpace(v))
	for _, suffix := range []string{"级", "類", "类"} {
		v = strings.TrimSuffix(v, suffix)
	}
	return strings.TrimSpace(v)
}

// statusWords are the ways a spreadsheet names a status, in Chinese and
// English (including the labels Tide's own export writes).
var statusWords = map[string]string{
	"lead": StatusLead, "线索": StatusLead, "新线索": StatusLead,
	"prospect": StatusProspect, "潜在客户": StatusProspect, "意向客户": StatusProspect, "跟进中": StatusProspect, "商机": StatusProspect,
	"customer": StatusCustomer, "成交客户": StatusCustomer, "已成交": StatusCustomer, "成交": StatusCustomer, "客户": StatusCustomer, "签约客户": StatusCustomer,
	"lost": StatusLost, "流失": StatusLost, "已流失": StatusLost, "流失客户": StatusLost,
}

func importStatus(v string) string {
	if s, ok := statusWords[strings.ToLower(strings.TrimSpace(v))]; ok {
		return s
	}
	return v
}

// finishImport records the end of an import: status, time and report.
func (s *Store) finishImport(ctx context.Context, id int64, status string, req ImportRequest, skipped []ImportSkip, failure *Msg) error {
	rep := ImportReport{Header: req.Header, Mapping: req.Mapping, Skipped: skipped, Failure: failure}
	if rep.Skipped == nil {
		rep.Skipped = []ImportSkip{}
	}
	raw, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("store: import %d report: %w", id, err)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE imports SET status = ?, finished_at = ?, report = ? WHERE id = ?`,
			status, s.now().Unix(), string(raw), id)
		if err != nil {
			return fmt.Errorf("store: finish import %d: %w", id, err)
		}
		var userID, created int64
		_ = tx.QueryRowContext(ctx, `SELECT user_id, created FROM imports WHERE id = ?`, id).Scan(&userID, &created)
		return audit(ctx, tx, s.now().Unix(), AuditEntry{Action: AuditImport, Entity: "customer", EntityID: id,
			Detail: M("audit.detail.import", "Status", M(importStatusKey(status)), "Created", created, "Skipped", len(skipped)).Encode(), ActorID: userID})
	})
}

const importCols = `i.id, i.user_id, COALESCE(u.name, ''), i.file_name, i.pool_id, COALESCE(p.name, ''), i.status,
	i.total_rows, i.done_rows, i.created, i.duplicates, i.errors, i.created_at, i.finished_at, i.reverted_at
	FROM imports i LEFT JOIN users u ON u.id = i.user_id LEFT JOIN pools p ON p.id = i.pool_id`

func scanImport(row interface{ Scan(...any) error }) (*ImportInfo, error) {
	var i ImportInfo
	var pool, finished, reverted sql.NullInt64
	var poolName string
	var created int64
	if err := row.Scan(&i.ID, &i.User.ID, &i.User.Name, &i.FileName, &pool, &poolName, &i.Status,
		&i.TotalRows, &i.DoneRows, &i.Created, &i.Duplicates, &i.Errors, &created, &finished, &reverted); err != nil {
		return nil, err
	}
	if pool.Valid {
		i.Pool = &Ref{ID: pool.Int64, Name: poolName}
	}
	i.CreatedAt = time.Unix(created, 0).UTC()
	i.FinishedAt, i.RevertedAt = nullTime(finished), nullTime(reverted)
	return &i, nil
}

// ImportStatus loads one import: its own user's, or any for an admin.
func (s *Store) ImportStatus(ctx context.Context, u *User, id int64) (*ImportInfo, error) {
	i, err := scanImport(s.r.QueryRowContext(ctx, `SELECT `+importCols+` WHERE i.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: import %d: %w", id, err)
	}
	if !u.IsAdmin() && i.User.ID != u.ID {
		return nil, ErrNotFound
	}
	return s.checkInterrupted(ctx, i)
}

// checkInterrupted marks an import failed when it says running but no
// goroutine of this process runs it (the server restarted mid-import). It
// also fills in the progress of a revert under way.
func (s *Store) checkInterrupted(ctx context.Context, i *ImportInfo) (*ImportInfo, error) {
	if v, ok := live.Load(liveKey{s, i.ID, "revert"}); ok {
		st := v.(*revertState)
		i.Reverting = &Progress{Done: int(st.done.Load()), Total: int(st.total.Load())}
	}
	if i.Status != ImportRunning {
		return i, nil
	}
	if _, ok := live.Load(liveKey{s, i.ID, "import"}); ok {
		return i, nil
	}
	// Read again inside the write transaction: the import may have just
	// finished between the read and here.
	reread := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM imports WHERE id = ?`, i.ID).Scan(&status); err != nil {
			return err
		}
		if _, ok := live.Load(liveKey{s, i.ID, "import"}); ok || status != ImportRunning {
			reread = status != ImportRunning
			return nil
		}
		raw, _ := json.Marshal(ImportReport{Skipped: []ImportSkip{}, Failure: &Msg{Key: "err.import_interrupted"}})
		_, err := tx.ExecContext(ctx, `UPDATE imports SET status = 'failed', finished_at = ?, report = ? WHERE id = ?`,
			s.now().Unix(), string(raw), i.ID)
		i.Status = ImportFailed
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: import %d: %w", i.ID, err)
	}
	if reread {
		// It finished meanwhile: its counts changed with its status.
		fresh, err := scanImport(s.r.QueryRowContext(ctx, `SELECT `+importCols+` WHERE i.id = ?`, i.ID))
		if err != nil {
			return nil, fmt.Errorf("store: import %d: %w", i.ID, err)
		}
		fresh.Reverting = i.Reverting
		return fresh, nil
	}
	return i, nil
}

// importsListed is how many imports Imports returns.
const importsListed = 100

// Imports lists the latest imports, newest first: everyone's for an
// admin, one's own for anyone else.
func (s *Store) Imports(ctx context.Context, u *User) ([]*ImportInfo, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+importCols+` WHERE ? OR i.user_id = ? ORDER BY i.id DESC LIMIT ?`,
		u.IsAdmin(), u.ID, importsListed)
	if err != nil {
		return nil, fmt.Errorf("store: imports: %w", err)
	}
	out := []*ImportInfo{}
	for rows.Next() {
		i, err := scanImport(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, i)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for k, i := range out {
		if out[k], err = s.checkInterrupted(ctx, i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ImportReport loads the detail of an import the user may see.
func (s *Store) ImportReport(ctx context.Context, u *User, id int64) (*ImportInfo, *ImportReport, error) {
	info, err := s.ImportStatus(ctx, u, id)
	if err != nil {
		return nil, nil, err
	}
	var raw string
	if err := s.r.QueryRowContext(ctx, `SELECT report FROM imports WHERE id = ?`, id).Scan(&raw); err != nil {
		return nil, nil, fmt.Errorf("store: import %d report: %w", id, err)
	}
	rep := &ImportReport{Skipped: []ImportSkip{}}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), rep); err != nil {
			return nil, nil, fmt.Errorf("store: import %d report: %w", id, err)
		}
	}
	return info, rep, nil
}

// changedSince is true for an imported customer someone has worked on:
// edited, transferred or claimed (version), followed up, given or changed
// a contact, or moved in or out of a pool.
const changedSince = `c.version > 1
	OR EXISTS (SELECT 1 FROM followups f WHERE f.customer_id = c.id)
	OR EXISTS (SELECT 1 FROM customer_events e WHERE e.customer_id = c.id AND e.kind != 'created')
	OR (SELECT count(*) FROM pool_moves m WHERE m.customer_id = c.id) > 1
	OR EXISTS (SELECT 1 FROM contacts ct WHERE ct.customer_id = c.id AND (ct.created_at != c.created_at OR ct.updated_at != ct.created_at))`

// RevertImport removes, as a whole, the customers an import created
// (撤销导入) — soft-deleted like DeleteCustomer, their duplicate keys and
// search documents released — except those someone has worked on since,
// which stay and are listed. Only the importing user or an admin may.
func (s *Store) RevertImport(ctx context.Context, actor *User, id int64) (*RevertResult, error) {
	job, err := s.BeginRevert(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return job.Run(ctx)
}

// RevertJob is a revert that has passed its checks; Run does the work,
// possibly in the background, while ImportStatus reports its progress.
type RevertJob struct {
	s     *Store
	actor *User
	id    int64
	rep   *ImportReport
	state *revertState
}

// revertState is a running revert's progress.
type revertState struct{ done, total atomic.Int64 }

// BeginRevert checks that actor may revert import id now — theirs (or an
// admin), finished, not reverted, not being reverted — and claims it, so
// a second click gets a conflict instead of a second revert. Run must
// follow.
func (s *Store) BeginRevert(ctx context.Context, actor *User, id int64) (*RevertJob, error) {
	info, rep, err := s.ImportReport(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	switch info.Status {
	case ImportRunning:
		return nil, &Error{Code: CodeConflict, Msg: M("err.import_running")}
	case ImportReverted:
		return nil, &Error{Code: CodeConflict, Msg: M("err.import_reverted")}
	}
	st := &revertState{}
	if _, busy := live.LoadOrStore(liveKey{s, id, "revert"}, st); busy {
		return nil, &Error{Code: CodeConflict, Msg: M("err.import_reverting")}
	}
	return &RevertJob{s: s, actor: actor, id: id, rep: rep, state: st}, nil
}

// Run reverts the import in transactions of revertBatch customers.
func (j *RevertJob) Run(ctx context.Context) (*RevertResult, error) {
	s, id := j.s, j.id
	defer live.Delete(liveKey{s, id, "revert"})
	ids, err := s.int64s(ctx, `SELECT id FROM customers WHERE import_id = ? AND deleted_at IS NULL ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: revert import %d: %w", id, err)
	}
	j.state.total.Store(int64(len(ids)))
	res := &RevertResult{Kept: []KeptCustomer{}}
	for start := 0; start < len(ids); start += revertBatch {
		batch := ids[start:min(start+revertBatch, len(ids))]
		var kept []KeptCustomer
		var removed []int64
		err := s.tx(ctx, func(tx *sql.Tx) error {
			var err error
			kept, removed, err = revertBatchTx(ctx, tx, batch, j.actor.ID, s.now().Unix())
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("store: revert import %d: %w", id, err)
		}
		res.Removed += len(removed)
		res.Kept = append(res.Kept, kept...)
		j.state.done.Store(int64(start + len(batch)))
	}
	rep := j.rep
	rep.Removed, rep.Kept = res.Removed, res.Kept
	raw, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE imports SET status = 'reverted', reverted_at = ?, report = ? WHERE id = ?`,
			s.now().Unix(), string(raw), id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: revert import %d: %w", id, err)
	}
	return res, nil
}

// revertBatch is how many customers one revert transaction takes.
const revertBatch = 1000

// revertBatchTx removes the customers of batch that nobody has worked on
// since the import, the way DeleteCustomer removes one — the row stays
// (soft delete) for the audit trail with a "deleted" timeline event; its
// duplicate keys and search documents go, so the company can be entered
// again — and returns those it kept. It works on the whole batch at once:
// a 100,000-customer revert is a hundred transactions, not a million
// statements.
func revertBatchTx(ctx context.Context, tx *sql.Tx, batch []int64, actorID, now int64) ([]KeptCustomer, []int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.name, `+changedSince+` FROM customers c
		WHERE c.id IN (`+idList(batch)+`) AND c.deleted_at IS NULL ORDER BY c.id`)
	if err != nil {
		return nil, nil, err
	}
	var kept []KeptCustomer
	var removed []int64
	for rows.Next() {
		var k KeptCustomer
		var changed bool
		if err := rows.Scan(&k.ID, &k.Name, &changed); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if changed {
			kept = append(kept, k)
		} else {
			removed = append(removed, k.ID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(removed) == 0 {
		return kept, nil, nil
	}
	in := idList(removed)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE customers SET deleted_at = ?, updated_at = ?, version = version + 1 WHERE id IN (` + in + `)`, []any{now, now}},
		{`DELETE FROM dedup_keys WHERE customer_id IN (` + in + `)`, nil},
		{`DELETE FROM customer_search WHERE rowid IN (` + in + `)`, nil},
		{`DELETE FROM customer_bigrams WHERE rowid IN (` + in + `)`, nil},
		{`INSERT INTO customer_events (customer_id, kind, actor_id, changes, note, at)
			SELECT id, 'deleted', ?, '[]', '', ? FROM customers WHERE id IN (` + in + `) ORDER BY id`, []any{actorID, now}},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			return nil, nil, err
		}
	}
	return kept, removed, nil
}

// ImportPools lists the pools a manager or admin may import into: those
// whose scope admits them. Sales import only customers they own.
func (s *Store) ImportPools(ctx context.Context, u *User) ([]Ref, error) {
	out := []Ref{}
	if !u.IsManager() {
		return out, nil
	}
	ids, err := s.visiblePoolIDs(ctx, s.r, u)
	if err != nil || len(ids) == 0 {
		return out, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, name FROM pools WHERE id IN (`+idList(ids)+`) ORDER BY is_default DESC, name`)
	if err != nil {
		return nil, fmt.Errorf("store: import pools: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Ref
		if err := rows.Scan(&r.ID, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

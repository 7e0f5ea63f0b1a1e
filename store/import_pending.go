package store

// Pending imports: an uploaded file, parsed, waiting for its owner to check
// the column mapping and press "开始导入". They are kept as files under the
// data directory (uploads/), not in memory, so a restart between the upload
// and the go-ahead loses nothing; and not in the database, because a file
// of 200,000 rows is written once, read once and thrown away.
//
// Each upload is two files named by a random token: <token>.json, small,
// with the owner, the file name, the target pool, the header, the guessed
// mapping and the first rows (everything the preview shows), and
// <token>.rows.json with every row, read only when the import starts. An
// expired, replaced or used upload loses its rows at once but keeps its
// small file for a day, so its link still says "expired" rather than "not
// found".

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// PendingImportTTL is how long an upload waits for the go-ahead.
const PendingImportTTL = 30 * time.Minute

// PendingPreviewRows is how many rows of an upload the preview shows.
const PendingPreviewRows = 10

// pendingTombstoneTTL is how long an expired upload's small file stays.
const pendingTombstoneTTL = 24 * time.Hour

// ErrUploadExpired answers an upload that is past PendingImportTTL, was
// replaced by a newer upload of its owner, or was already imported.
var ErrUploadExpired = &Error{Code: CodeRule, Msg: M("import.flash_expired")}

// pendingMu serialises writes to the uploads directory (save, retire,
// clean); reads need no lock because every file is replaced by rename.
var pendingMu sync.Mutex

// pendingToken is the shape of a token; anything else is never a file name.
var pendingToken = regexp.MustCompile(`^[A-Za-z0-9_-]{32}$`)

// PendingImport is an upload awaiting its owner's go-ahead: what the
// preview shows. Its rows are read by PendingImportRows.
type PendingImport struct {
	Token     string      `json:"-"`
	UserID    int64       `json:"user_id"`
	FileName  string      `json:"file_name"`
	PoolID    *int64      `json:"pool_id,omitempty"`
	Header    []string    `json:"header"`
	Mapping   []string    `json:"mapping"`
	Preview   []ImportRow `json:"preview"`
	Total     int         `json:"total"`
	ExpiresAt int64       `json:"expires_at"`
}

// uploadsDir is the uploads folder beside the database file.
func (s *Store) uploadsDir() string { return filepath.Join(filepath.Dir(s.path), "uploads") }

func (s *Store) pendingPath(token, suffix string) string {
	return filepath.Join(s.uploadsDir(), token+suffix)
}

// SavePendingImport keeps a parsed upload of u's for PendingImportTTL and
// returns it with its token. A user has one upload waiting at a time: the
// previous one expires.
func (s *Store) SavePendingImport(ctx context.Context, u *User, fileName string, poolID *int64, t *ImportTable) (*PendingImport, error) {
	p := &PendingImport{Token: randomToken(24), UserID: u.ID, FileName: fileName, PoolID: poolID, Header: t.Header,
		Mapping: t.Mapping, Preview: t.Rows[:min(PendingPreviewRows, len(t.Rows))], Total: len(t.Rows),
		ExpiresAt: s.now().Add(PendingImportTTL).Unix()}
	pendingMu.Lock()
	defer pendingMu.Unlock()
	if err := os.MkdirAll(s.uploadsDir(), 0o700); err != nil {
		return nil, fmt.Errorf("store: uploads dir: %w", err)
	}
	if err := s.retireUserUploads(u.ID); err != nil {
		return nil, err
	}
	if err := writeJSONFile(s.pendingPath(p.Token, ".rows.json"), t.Rows); err != nil {
		return nil, err
	}
	if err := writeJSONFile(s.pendingPath(p.Token, ".json"), p); err != nil {
		_ = os.Remove(s.pendingPath(p.Token, ".rows.json"))
		return nil, err
	}
	return p, nil
}

// PendingImport returns u's upload under token: ErrNotFound when there is
// none or it is someone else's, ErrUploadExpired when it can no longer be
// imported.
func (s *Store) PendingImport(ctx context.Context, u *User, token string) (*PendingImport, error) {
	p, err := s.readPending(token)
	if err != nil {
		return nil, err
	}
	if p.UserID != u.ID {
		return nil, ErrNotFound
	}
	if s.now().Unix() >= p.ExpiresAt {
		s.retireOnAccess(p)
		return nil, ErrUploadExpired
	}
	return p, nil
}

// PendingImportRows returns every row of u's upload under token, with the
// same answers as PendingImport when it cannot be used.
func (s *Store) PendingImportRows(ctx context.Context, u *User, token string) ([]ImportRow, error) {
	p, err := s.PendingImport(ctx, u, token)
	if err != nil {
		return nil, err
	}
	var rows []ImportRow
	if err := readJSONFile(s.pendingPath(p.Token, ".rows.json"), &rows); err != nil {
		if errors.Is(err, fs.ErrNotExist) { // retired meanwhile
			return nil, ErrUploadExpired
		}
		return nil, err
	}
	return rows, nil
}

// FinishPendingImport marks u's upload as used once its import started:
// its link then says "expired" instead of importing the file twice.
func (s *Store) FinishPendingImport(ctx context.Context, u *User, token string) error {
	p, err := s.readPending(token)
	if err != nil {
		return err
	}
	if p.UserID != u.ID {
		return ErrNotFound
	}
	pendingMu.Lock()
	defer pendingMu.Unlock()
	return s.retire(p)
}

// CleanPendingImports drops the rows of expired uploads and, a day later,
// their small files, and whatever an interrupted write left behind; the
// hourly session_cleanup job calls it. It returns how many uploads lost
// their rows.
func (s *Store) CleanPendingImports(ctx context.Context) (int, error) {
	pendingMu.Lock()
	defer pendingMu.Unlock()
	entries, err := os.ReadDir(s.uploadsDir())
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: clean uploads: %w", err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, ".tmp-"): // writes hold pendingMu: this one was cut short
			err = removeFile(filepath.Join(s.uploadsDir(), name))
		case strings.HasSuffix(name, ".rows.json"):
			if _, rerr := s.readPending(strings.TrimSuffix(name, ".rows.json")); rerr != nil {
				err = removeFile(filepath.Join(s.uploadsDir(), name)) // rows without their upload
			}
		case strings.HasSuffix(name, ".json"):
			var retired bool
			retired, err = s.cleanPending(strings.TrimSuffix(name, ".json"))
			if retired {
				n++
			}
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// cleanPending retires one upload when it expired and removes its small
// file a day after that. pendingMu is held.
func (s *Store) cleanPending(token string) (retired bool, err error) {
	p, err := s.readPending(token)
	if err != nil {
		return false, removeFile(s.pendingPath(token, ".json")) // unreadable: useless
	}
	now := s.now().Unix()
	if now >= p.ExpiresAt && s.hasRows(token) {
		if err := s.retire(p); err != nil {
			return false, err
		}
		retired = true
	}
	if now >= p.ExpiresAt+int64(pendingTombstoneTTL/time.Second) {
		return retired, removeFile(s.pendingPath(token, ".json"))
	}
	return retired, nil
}

// removeFile removes path; one already gone is no error.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: remove upload: %w", err)
	}
	return nil
}

// readPending reads an upload's small file; a malformed token or a
// missing file is ErrNotFound.
func (s *Store) readPending(token string) (*PendingImport, error) {
	if !pendingToken.MatchString(token) {
		return nil, ErrNotFound
	}
	p := &PendingImport{}
	if err := readJSONFile(s.pendingPath(token, ".json"), p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	p.Token = token
	return p, nil
}

func (s *Store) hasRows(token string) bool {
	_, err := os.Stat(s.pendingPath(token, ".rows.json"))
	return err == nil
}

// retireUserUploads expires every upload of userID still waiting.
func (s *Store) retireUserUploads(userID int64) error {
	entries, err := os.ReadDir(s.uploadsDir())
	if err != nil {
		return fmt.Errorf("store: uploads dir: %w", err)
	}
	for _, e := range entries {
		token, ok := strings.CutSuffix(e.Name(), ".rows.json")
		if !ok {
			continue
		}
		if p, err := s.readPending(token); err == nil && p.UserID == userID {
			if err := s.retire(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// retireOnAccess retires an upload found expired while reading it; a
// failure only delays the removal to the next cleanup.
func (s *Store) retireOnAccess(p *PendingImport) {
	if !s.hasRows(p.Token) {
		return
	}
	pendingMu.Lock()
	defer pendingMu.Unlock()
	_ = s.retire(p)
}

// retire removes an upload's rows and moves its expiry to now at the
// latest, keeping the small file that says it expired. pendingMu is held.
func (s *Store) retire(p *PendingImport) error {
	if now := s.now().Unix(); p.ExpiresAt > now {
		p.ExpiresAt = now
		p.Preview = nil // the rows go; so does their sample
		if err := writeJSONFile(s.pendingPath(p.Token, ".json"), p); err != nil {
			return err
		}
	}
	return removeFile(s.pendingPath(p.Token, ".rows.json"))
}

// writeJSONFile writes v to path through a temporary file and a rename,
// so a reader sees the old file or the new one, never half of one. The
// temporary file is created 0600: only the server's OS user reads it.
func writeJSONFile(path string, v any) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("store: write upload: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename: a no-op
	err = json.NewEncoder(tmp).Encode(v)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("store: write upload: %w", err)
	}
	return nil
}

func readJSONFile(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := json.NewDecoder(f).Decode(v); err != nil {
		return fmt.Errorf("store: read upload %s: %w", filepath.Base(path), err)
	}
	return nil
}

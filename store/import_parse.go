package store

// Reading an uploaded customer list (导入客户) into rows: CSV in UTF-8 (with
// or without BOM) or GBK/GB18030 — what Excel on a Chinese Windows saves —
// and .xlsx. The header row, in Chinese or English, is mapped to customer
// fields; the user may adjust the mapping before the import runs.

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/unicode/norm"
)

// ImportFields are the fields a column may be mapped to, in the order the
// mapping select offers them. contact_* fill the primary contact (联系人).
var ImportFields = []string{"name", "phone", "email", "website", "industry", "level", "source", "region", "address",
	"status", "notes", "tags", "contact_name", "contact_phone", "contact_email"}

// MaxImportRows bounds one file, so a pathological upload cannot exhaust
// memory; larger lists are split into several files.
const MaxImportRows = 200_000

// headerAliases maps a folded header cell (see foldHeader) to its field.
var headerAliases = map[string]string{}

func init() {
	for field, names := range map[string][]string{
		"name": {"名称", "客户名称", "客户名", "客户", "公司名称", "公司", "企业名称", "单位名称", "name", "company", "companyname",
			"customer", "customername", "account", "accountname"},
		"phone":         {"电话", "手机", "手机号", "手机号码", "联系电话", "电话号码", "phone", "mobile", "tel", "telephone", "phonenumber"},
		"email":         {"邮箱", "邮件", "电子邮箱", "电子邮件", "email", "e-mail", "mail"},
		"website":       {"网站", "网址", "官网", "主页", "website", "web", "url", "homepage"},
		"industry":      {"行业", "所属行业", "industry", "sector"},
		"level":         {"级别", "等级", "客户级别", "客户等级", "level", "grade", "rating"},
		"source":        {"来源", "来源渠道", "客户来源", "渠道", "source", "channel", "leadsource"},
		"region":        {"地区", "区域", "省份", "城市", "所在地区", "region", "area", "province", "city", "location", "officelocation"},
		"address":       {"地址", "详细地址", "公司地址", "address"},
		"status":        {"状态", "客户状态", "status"},
		"notes":         {"备注", "说明", "notes", "note", "remark", "remarks", "comment", "comments"},
		"tags":          {"标签", "tags", "tag", "labels"},
		"contact_name":  {"联系人", "联系人姓名", "联系人名称", "contact", "contactname", "contactperson"},
		"contact_phone": {"联系人电话", "联系人手机", "联系人手机号", "contactphone", "contactmobile"},
		"contact_email": {"联系人邮箱", "联系人邮件", "contactemail"},
	} {
		for _, n := range names {
			headerAliases[foldHeader(n)] = field
		}
	}
}

// foldHeader reduces a header cell to the form aliases are matched in:
// full-width folded, lower case, without spaces, punctuation, a required
// marker (*) or a bracketed hint ("手机（必填）").
func foldHeader(s string) string {
	s = norm.NFKC.String(strings.ToLower(strings.TrimSpace(s)))
	if i := strings.IndexAny(s, "("); i > 0 {
		s = s[:i]
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// GuessMapping maps each header cell to a field ("" = ignored). A field is
// given to its first column only.
func GuessMapping(header []string) []string {
	out := make([]string, len(header))
	taken := map[string]bool{}
	for i, h := range header {
		f := headerAliases[foldHeader(h)]
		if f != "" && !taken[f] {
			out[i], taken[f] = f, true
		}
	}
	return out
}

// ImportRow is one data row of an uploaded file: its row number as the
// user sees it in Excel (the header is row 1 in most files) and its cells.
type ImportRow struct {
	Line  int      `json:"row"`
	Cells []string `json:"cells"`
}

// ImportTable is an uploaded file read into rows: the header, the data rows
// (blank rows dropped) and the mapping guessed from the header.
type ImportTable struct {
	Header  []string
	Rows    []ImportRow
	Mapping []string
}

// importError is a refusal of the whole file; nothing is imported.
func importError(key string, kv ...any) error {
	return &Error{Code: CodeInvalid, Msg: M(key, kv...)}
}

// ParseImport reads an uploaded .csv or .xlsx file. A file that cannot be
// read — binary, malformed, encrypted, without a recognisable customer-name
// column, without data — is refused with a message saying why.
func ParseImport(fileName string, data []byte) (*ImportTable, error) {
	ext := strings.ToLower(filepath.Ext(fileName))
	var (
		raw [][]string
		err error
	)
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, importError("err.import_empty")
	case bytes.HasPrefix(data, oleMagic):
		// An OLE container is either a password-protected workbook or the
		// old binary .xls format; neither can be read.
		return nil, importError("err.import_encrypted")
	case ext == ".xlsx" || ext == ".xlsm":
		if !bytes.HasPrefix(data, zipMagic) {
			return nil, importError("err.import_not_xlsx")
		}
		raw, err = readXLSX(data)
	case ext == ".csv" || ext == ".txt":
		if bytes.HasPrefix(data, zipMagic) {
			// An .xlsx renamed to .csv: read it for what it is.
			raw, err = readXLSX(data)
			break
		}
		raw, err = readCSV(data)
	case ext == ".xls":
		return nil, importError("err.import_xls")
	default:
		return nil, importError("err.import_type")
	}
	if err != nil {
		return nil, err
	}
	return tableFrom(raw)
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// tableFrom finds the header — the first of the first ten non-blank rows
// that has a customer-name column, so a title row above the header is
// skipped — and keeps the rows below it.
func tableFrom(raw [][]string) (*ImportTable, error) {
	for i := range raw {
		for j := range raw[i] {
			raw[i][j] = cleanCell(raw[i][j])
		}
	}
	header := -1
	seen := 0
	for i, r := range raw {
		if blankRow(r) {
			continue
		}
		if slicesIndex(GuessMapping(r), "name") >= 0 {
			header = i
			break
		}
		if seen++; seen >= 10 {
			break
		}
	}
	if header < 0 {
		if seen == 0 {
			return nil, importError("err.import_empty")
		}
		return nil, importError("err.import_no_name_column")
	}
	t := &ImportTable{Header: trimTrailingBlanks(raw[header])}
	for i := header + 1; i < len(raw); i++ {
		if blankRow(raw[i]) {
			continue
		}
		cells := trimTrailingBlanks(raw[i])
		if len(cells) > len(t.Header) {
			// Cells beyond the header have no column name; keep them so
			// the report shows the row as it was.
			for len(t.Header) < len(cells) {
				t.Header = append(t.Header, "")
			}
		}
		t.Rows = append(t.Rows, ImportRow{Line: i + 1, Cells: cells})
	}
	if len(t.Rows) == 0 {
		return nil, importError("err.import_no_rows")
	}
	if len(t.Rows) > MaxImportRows {
		return nil, importError("err.import_too_many_rows", "Max", MaxImportRows)
	}
	t.Mapping = GuessMapping(t.Header)
	return t, nil
}

func slicesIndex(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// cleanCell trims spaces (including full-width and no-break spaces) and
// invisible characters such as a stray BOM or zero-width space.
func cleanCell(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\ufeff' || r == '\u200b' || r == '\u00a0' || r == '\u3000'
	})
	return s
}

func blankRow(r []string) bool {
	for _, c := range r {
		if c != "" {
			return false
		}
	}
	return true
}

func trimTrailingBlanks(r []string) []string {
	n := len(r)
	for n > 0 && r[n-1] == "" {
		n--
	}
	return r[:n:n]
}

// decodeText turns CSV bytes into UTF-8: a UTF-8 BOM is dropped; valid
// UTF-8 is taken as is; anything else is read as GB18030 (a superset of
// GBK and GB2312). Control characters other than tab and line breaks mean
// the file is not text at all.
func decodeText(data []byte) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	data = bytes.TrimRight(data, "\x1a") // DOS end-of-file marker
	for _, b := range data {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
			return "", importError("err.import_binary")
		}
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	text, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || bytes.ContainsRune(text, utf8.RuneError) {
		return "", importError("err.import_encoding")
	}
	return string(text), nil
}

// readCSV reads delimited text; the delimiter (comma, semicolon or tab) is
// the one the first line uses most.
func readCSV(data []byte) ([][]string, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sniffDelimiter(text)
	r.FieldsPerRecord = -1
	var out [][]string
	// Row numbers are Excel's: a blank line is an (empty) row, a quoted
	// cell spanning lines is still one row. csv.Reader skips blank lines,
	// so they are put back as empty rows.
	extra := 0 // line breaks inside quoted cells so far
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, importError("err.import_csv_malformed", "Line", line)
		}
		line, _ := r.FieldPos(0)
		for len(out) < line-extra-1 {
			out = append(out, nil)
		}
		for _, f := range rec {
			extra += strings.Count(f, "\n")
		}
		out = append(out, rec)
		if len(out) > MaxImportRows+20 {
			return nil, importError("err.import_too_many_rows", "Max", MaxImportRows)
		}
	}
	return out, nil
}

// sniffDelimiter picks the delimiter (comma, semicolon or tab) used most
// outside quotes in the first lines; a title line above the header has
// none, so several lines are looked at.
func sniffDelimiter(text string) rune {
	counts := map[rune]int{}
	inQuote := false
	lines := 0
	for _, r := range text {
		switch {
		case r == '"':
			inQuote = !inQuote
		case r == '\n' && !inQuote:
			if lines++; lines >= 10 {
				break
			}
		case !inQuote && (r == ',' || r == ';' || r == '\t'):
			counts[r]++
		}
		if lines >= 10 {
			break
		}
	}
	best, n := ',', 0
	for _, d := range []rune{',', '\t', ';'} {
		if counts[d] > n {
			best, n = d, counts[d]
		}
	}
	return best
}

// readXLSX reads the first worksheet of an .xlsx file. Formulas give their
// cached value (what Excel showed when the file was saved); a formula saved
// without one is calculated. A merged range takes the value of its
// top-left cell in every cell.
func readXLSX(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, excelize.ErrWorkbookFileFormat) || errors.Is(err, excelize.ErrWorkbookPassword) {
			return nil, importError("err.import_encrypted")
		}
		return nil, importError("err.import_not_xlsx")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, importError("err.import_not_xlsx")
	}
	sheet := sheets[0]
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, importError("err.import_not_xlsx")
	}
	var out [][]string
	for rows.Next() {
		cells, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, importError("err.import_not_xlsx")
		}
		out = append(out, cells)
		if len(out) > MaxImportRows+20 {
			rows.Close()
			return nil, importError("err.import_too_many_rows", "Max", MaxImportRows)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, importError("err.import_not_xlsx")
	}
	sheetXML, err := firstSheetXML(data)
	if err != nil {
		return nil, importError("err.import_not_xlsx")
	}
	info, err := scanSheet(sheetXML)
	if err != nil {
		return nil, importError("err.import_not_xlsx")
	}
	if len(info.uncached) > maxUncachedFormulas {
		return nil, importError("err.import_formulas", "Count", len(info.uncached))
	}
	for _, ref := range info.uncached {
		col, row, err := excelize.CellNameToCoordinates(ref)
		if err != nil {
			continue
		}
		v, err := f.CalcCellValue(sheet, ref)
		if err != nil {
			continue // an unsupported function: the cell stays empty
		}
		out = setCell(out, row-1, col-1, v)
	}
	for _, m := range info.merges {
		if m.top-1 >= len(out) {
			continue
		}
		v := cellAt(out, m.top-1, m.left-1)
		for r := m.top; r <= m.bottom && r-1 < len(out); r++ {
			for c := m.left; c <= m.right; c++ {
				if r == m.top && c == m.left {
					continue
				}
				out = setCell(out, r-1, c-1, v)
			}
		}
	}
	return out, nil
}

// maxUncachedFormulas bounds how many formulas without a saved value are
// calculated; more means a generated file that should be opened and saved
// in Excel first.
const maxUncachedFormulas = 5000

func cellAt(rows [][]string, r, c int) string {
	if r < len(rows) && c < len(rows[r]) {
		return rows[r][c]
	}
	return ""
}

func setCell(rows [][]string, r, c int, v string) [][]string {
	if r >= len(rows) || r < 0 || c < 0 || c > 1000 {
		return rows
	}
	for len(rows[r]) <= c {
		if v == "" {
			return rows
		}
		rows[r] = append(rows[r], "")
	}
	rows[r][c] = v
	return rows
}

// firstSheetXML returns the XML of the workbook's first worksheet, found
// the way Excel finds it: the first <sheet> of xl/workbook.xml and its
// relationship target.
func firstSheetXML(data []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	files := map[string]*zip.File{}
	for _, zf := range zr.File {
		files[strings.TrimPrefix(zf.Name, "/")] = zf
	}
	read := func(name string) ([]byte, error) {
		zf := files[name]
		if zf == nil {
			return nil, fmt.Errorf("xlsx: no %s", name)
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(io.LimitReader(rc, 1<<30))
	}
	wb, err := read("xl/workbook.xml")
	if err != nil {
		return nil, err
	}
	var book struct {
		Sheets []struct {
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(wb, &book); err != nil || len(book.Sheets) == 0 {
		return nil, fmt.Errorf("xlsx: no sheets")
	}
	rid := ""
	for _, a := range book.Sheets[0].Attrs {
		if a.Name.Local == "id" {
			rid = a.Value
		}
	}
	rels, err := read("xl/_rels/workbook.xml.rels")
	if err != nil {
		return nil, err
	}
	var rel struct {
		Items []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(rels, &rel); err != nil {
		return nil, err
	}
	for _, it := range rel.Items {
		if it.ID != rid {
			continue
		}
		target := it.Target
		if strings.HasPrefix(target, "/") {
			target = strings.TrimPrefix(target, "/")
		} else {
			target = path.Join("xl", target)
		}
		return read(target)
	}
	return nil, fmt.Errorf("xlsx: sheet relationship %q missing", rid)
}

// mergedRange is one merged area, 1-based and inclusive.
type mergedRange struct{ top, left, bottom, right int }

type sheetInfo struct {
	merges   []mergedRange
	uncached []string // formula cells saved without a value
}

// scanSheet finds the merged ranges and the formula cells without a cached
// value. Sheets without formulas (the usual export) cost one byte search.
func scanSheet(x []byte) (*sheetInfo, error) {
	info := &sheetInfo{}
	if i := bytes.Index(x, []byte("<mergeCells")); i >= 0 {
		if j := bytes.Index(x[i:], []byte("</mergeCells>")); j >= 0 {
			var mc struct {
				Cells []struct {
					Ref string `xml:"ref,attr"`
				} `xml:"mergeCell"`
			}
			if err := xml.Unmarshal(x[i:i+j+len("</mergeCells>")], &mc); err != nil {
				return nil, err
			}
			for _, c := range mc.Cells {
				a, b, ok := strings.Cut(c.Ref, ":")
				if !ok {
					continue
				}
				c1, r1, err1 := excelize.CellNameToCoordinates(a)
				c2, r2, err2 := excelize.CellNameToCoordinates(b)
				if err1 != nil || err2 != nil {
					continue
				}
				info.merges = append(info.merges, mergedRange{top: min(r1, r2), left: min(c1, c2), bottom: max(r1, r2), right: max(c1, c2)})
			}
		}
	}
	if !bytes.Contains(x, []byte("<f>")) && !bytes.Contains(x, []byte("<f ")) {
		return info, nil
	}
	dec := xml.NewDecoder(bytes.NewReader(x))
	type cell struct {
		R string  `xml:"r,attr"`
		F *string `xml:"f"`
		V *string `xml:"v"`
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "c" {
			continue
		}
		var c cell
		if err := dec.DecodeElement(&c, &se); err != nil {
			return nil, err
		}
		if c.F != nil && (c.V == nil || *c.V == "") && c.R != "" {
			info.uncached = append(info.uncached, c.R)
		}
	}
	return info, nil
}

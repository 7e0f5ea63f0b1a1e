package app

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/tidecrm/tide/store"
)

// rtable is a report's figures as rows: what the page shows under its
// charts, and exactly what the .xlsx and .csv exports contain. Each cell
// has the text the page shows and the value the spreadsheet gets (a number
// where it is one), both made from the same store figure by one
// constructor.
type rtable struct {
	Title   string
	Help    string
	Columns []string
	Rows    [][]rcell
	Empty   string
	Class   string // extra class of the page's table
}

type rcell struct {
	Text  string
	Value any    // number (int, float64) or string for the spreadsheet
	Style string // "money", "pct", "days" or ""
	Link  string // the records behind the figure
	Num   bool   // right-aligned on the page
}

func txt(s string) rcell                { return rcell{Text: s, Value: s} }
func linked(c rcell, href string) rcell { c.Link = href; return c }
func count(n int) rcell                 { return rcell{Text: strconv.Itoa(n), Value: n, Num: true} }

// money shows fen as ¥12,800.00; the spreadsheet gets yuan as a number.
func money(fen int64) rcell {
	return rcell{Text: store.FormatMoney(fen), Value: float64(fen) / 100, Style: "money", Num: true}
}

// pct shows a 0..1 rate as 62.5% (one decimal), "—" when there is none.
func pct(r *float64) rcell {
	if r == nil {
		return rcell{Text: "—", Value: "", Num: true}
	}
	v := math.Round(*r*1000) / 1000
	return rcell{Text: strconv.FormatFloat(v*100, 'f', 1, 64) + "%", Value: v, Style: "pct", Num: true}
}

// days shows a decimal number of days with one decimal, "—" for none.
func days(d *float64) rcell {
	if d == nil {
		return rcell{Text: "—", Value: "", Num: true}
	}
	v := math.Round(*d*10) / 10
	return rcell{Text: strconv.FormatFloat(v, 'f', 1, 64), Value: v, Style: "days", Num: true}
}

func daysOf(d float64) rcell { return days(&d) }

// writeTablesCSV writes the tables one after another (title row, header,
// rows, blank line), UTF-8 with a BOM and CRLF like the customer export.
func writeTablesCSV(w io.Writer, title string, tables []*rtable) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	_ = cw.Write([]string{safeCell(title)})
	for _, t := range tables {
		_ = cw.Write([]string{})
		_ = cw.Write([]string{safeCell(t.Title)})
		_ = cw.Write(safeCells(t.Columns))
		for _, r := range t.Rows {
			rec := make([]string, len(r))
			for i, c := range r {
				rec[i] = csvValue(c)
			}
			_ = cw.Write(rec)
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvValue is the spreadsheet value as text: numbers plain (yuan with two
// decimals, rates as 0.625), text made safe from formula injection.
func csvValue(c rcell) string {
	switch v := c.Value.(type) {
	case int:
		return strconv.Itoa(v)
	case float64:
		if c.Style == "money" {
			return strconv.FormatFloat(v, 'f', 2, 64)
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		return safeCell(v)
	}
	return safeCell(c.Text)
}

func safeCells(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = safeCell(x)
	}
	return out
}

// writeTablesXLSX writes one sheet with the tables one after another:
// numbers as numbers with a number format (money #,##0.00, rates 0.0%).
func writeTablesXLSX(w io.Writer, sheet, title string, tables []*rtable) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	styles, err := xlsxStyles(f)
	if err != nil {
		return err
	}
	row := 1
	set := func(col int, v any, style int) error {
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			return err
		}
		if style != 0 {
			return f.SetCellStyle(sheet, cell, cell, style)
		}
		return nil
	}
	if err := set(1, title, styles["title"]); err != nil {
		return err
	}
	row += 2
	for _, t := range tables {
		if err := set(1, t.Title, styles["title"]); err != nil {
			return err
		}
		row++
		for i, h := range t.Columns {
			if err := set(i+1, h, styles["head"]); err != nil {
				return err
			}
		}
		row++
		for _, r := range t.Rows {
			for i, c := range r {
				v := c.Value
				if s, ok := v.(string); ok {
					v = safeCell(s)
				}
				if err := set(i+1, v, styles[c.Style]); err != nil {
					return err
				}
			}
			row++
		}
		row++
	}
	if err := f.SetColWidth(sheet, "A", "A", 24); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "B", "H", 16); err != nil {
		return err
	}
	return f.Write(w)
}

func xlsxStyles(f *excelize.File) (map[string]int, error) {
	out := map[string]int{}
	money, pctFmt, daysFmt := "#,##0.00", "0.0%", "0.0"
	for name, st := range map[string]*excelize.Style{
		"title": {Font: &excelize.Font{Bold: true, Size: 12}},
		"head":  {Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F4F7"}}},
		"money": {CustomNumFmt: &money},
		"pct":   {CustomNumFmt: &pctFmt},
		"days":  {CustomNumFmt: &daysFmt},
	} {
		id, err := f.NewStyle(st)
		if err != nil {
			return nil, fmt.Errorf("xlsx style %s: %w", name, err)
		}
		out[name] = id
	}
	return out, nil
}

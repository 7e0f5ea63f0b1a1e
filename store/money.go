package store

import (
	"strconv"
	"strings"
)

// ParseMoney reads an amount typed by a person ("12800", "12,800.5",
// "¥12,800.00", "１２８００") into integer fen. It refuses negatives,
// letters and more than two decimals rather than guessing.
func ParseMoney(s string) (int64, bool) {
	s = strings.TrimSpace(foldWidth(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "¥"), "￥")
	s = strings.ReplaceAll(strings.ReplaceAll(s, ",", ""), " ", "")
	if s == "" {
		return 0, false
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || (hasFrac && frac == "") || !allDigits(whole) || !allDigits(frac) || len(whole) > 13 {
		return 0, false
	}
	yuan, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	fen, _ := strconv.ParseInt(frac, 10, 64)
	return yuan*100 + fen, true
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// foldWidth turns full-width digits and punctuation into ASCII.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			return r - 0xFEE0
		}
		return r
	}, s)
}

// FormatMoney shows fen as yuan with thousands separators: ¥12,800.00.
func FormatMoney(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	whole := strconv.FormatInt(fen/100, 10)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := "¥" + b.String() + "." + strconv.FormatInt(fen%100/10, 10) + strconv.FormatInt(fen%10, 10)
	if neg {
		out = "-" + out
	}
	return out
}

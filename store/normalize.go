package store

// Pure rules for duplicate prevention (防撞单): the keys under which company
// names, phones and e-mail addresses are compared, the validity checks applied
// when they are entered, the masks used to hide pool contacts, and the folded
// form used for substring search. Nothing here touches the database; the
// unique indexes are built on the values these functions return, so changing
// one of them requires a migration that recomputes the stored keys.

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// cnLegalSuffixes are Chinese company forms removed from the end of a name,
// longest first so that 股份有限公司 wins over 有限公司 and 公司. They are matched
// as plain suffixes (Chinese has no word boundaries), ignoring spaces and
// punctuation between their characters.
var cnLegalSuffixes = [][]rune{
	[]rune("股份有限公司"),
	[]rune("有限责任公司"),
	[]rune("有限公司"),
	[]rune("集团公司"),
	[]rune("总公司"),
	[]rune("分公司"),
	[]rune("工作室"),
	[]rune("集团"),
	[]rune("公司"),
	[]rune("股份"),
}

// enLegalSuffixes are English company forms (lower case, without punctuation)
// removed from the end of a name. Unlike the Chinese ones they are only
// removed when they are a separate word, so that "Cisco", "Tesco" or "Zinc"
// keep their last letters.
var enLegalSuffixes = [][]rune{
	[]rune("incorporated"),
	[]rune("corporation"),
	[]rune("company"),
	[]rune("limited"),
	[]rune("coltd"),
	[]rune("group"),
	[]rune("corp"),
	[]rune("gmbh"),
	[]rune("ltd"),
	[]rune("inc"),
	[]rune("llc"),
	[]rune("plc"),
	[]rune("co"),
}

// NormalizeName returns the key under which company and customer names are
// compared for duplicates: two names with the same key are the same company.
//
// The key is built by: trimming; Unicode NFKC, which folds full-width forms to
// half-width (（）→(), ＡＢＣ→ABC, full-width digits, U+3000); lower-casing;
// removing spaces, punctuation, symbols (including emoji) and invisible
// characters; and removing legal forms wherever they end the name, repeatedly
// (北京字节跳动科技有限公司, "…科技(有限公司)" and "…科技 有限公司" all give
// 北京字节跳动科技; 深圳腾讯集团有限公司 gives 深圳腾讯; "Acme Co., Ltd." gives
// acme). Chinese forms are removed as suffixes; English forms (co, ltd, inc,
// llc, corp, group, gmbh, plc, …) only when they are a separate word, i.e.
// preceded by a space, punctuation or a non-Latin letter ("Acme Ltd",
// "腾讯Inc"), never as the tail of a word ("Cisco" stays cisco). If removing
// legal forms would leave nothing (a company literally called 集团), the key
// is the normalised name without removal. A location after the legal form,
// such as "…有限公司(北京)", is not recognised and stays part of the key.
//
// NormalizeName is idempotent and returns "" for a name with no letters or
// digits.
func NormalizeName(s string) string {
	k := nameKey(s)
	// Removing characters can bring a base letter next to a combining mark
	// (NFKC then composes them differently) or a Latin suffix next to a CJK
	// letter; repeat until the key no longer changes so that the function is
	// idempotent. One extra pass is the normal case.
	for i := 0; i < 8; i++ {
		next := nameKey(k)
		if next == k {
			break
		}
		k = next
	}
	return k
}

// nameKey is one pass of NormalizeName.
func nameKey(s string) string {
	s = norm.NFKC.String(strings.TrimSpace(s))
	s = norm.NFKC.String(strings.ToLower(s))

	// Separators become one space each (word boundaries for the English
	// suffixes); invisible characters disappear.
	rs := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case isNameSeparator(r):
			if len(rs) > 0 && rs[len(rs)-1] != ' ' {
				rs = append(rs, ' ')
			}
		case isInvisible(r):
		default:
			rs = append(rs, r)
		}
	}
	full := dropSpaces(rs)
	if key := dropSpaces(stripLegalSuffixes(rs)); key != "" {
		return key
	}
	return full
}

// isNameSeparator reports whether r is dropped from a name key and counts as
// a word boundary: spaces, punctuation and symbols (including emoji and the
// replacement character that stands for invalid UTF-8).
func isNameSeparator(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// isInvisible reports whether r is dropped from a name key without being a
// word boundary: control and format characters (zero-width space, joiner,
// BOM), variation selectors and enclosing marks (the keycap of 1️⃣).
func isInvisible(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Me, unicode.Variation_Selector)
}

// stripLegalSuffixes removes legal forms from the end of rs (separators kept
// as single spaces) for as long as one matches, and returns the rest.
func stripLegalSuffixes(rs []rune) []rune {
	for {
		rs = trimRightSpaces(rs)
		n := -1
		for _, suf := range cnLegalSuffixes {
			if n = cnSuffixStart(rs, suf); n >= 0 {
				break
			}
		}
		if n < 0 {
			for _, suf := range enLegalSuffixes {
				if n = enSuffixStart(rs, suf); n >= 0 {
					break
				}
			}
		}
		if n < 0 {
			return rs
		}
		rs = rs[:n]
	}
}

// cnSuffixStart returns where suf starts if rs ends with it, spaces between
// its characters ignored, or -1.
func cnSuffixStart(rs, suf []rune) int {
	i := len(rs)
	for j := len(suf) - 1; j >= 0; j-- {
		for i > 0 && rs[i-1] == ' ' {
			i--
		}
		if i == 0 || rs[i-1] != suf[j] {
			return -1
		}
		i--
	}
	return i
}

// enSuffixStart returns where the word suf starts if rs ends with it as a
// separate word, or -1.
func enSuffixStart(rs, suf []rune) int {
	i := len(rs) - len(suf)
	if i < 0 || string(rs[i:]) != string(suf) {
		return -1
	}
	if i > 0 {
		p := rs[i-1]
		if p != ' ' && !(unicode.IsLetter(p) && !unicode.Is(unicode.Latin, p)) {
			return -1
		}
	}
	return i
}

func trimRightSpaces(rs []rune) []rune {
	for len(rs) > 0 && rs[len(rs)-1] == ' ' {
		rs = rs[:len(rs)-1]
	}
	return rs
}

func dropSpaces(rs []rune) string {
	var b strings.Builder
	b.Grow(len(rs))
	for _, r := range rs {
		if r != ' ' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NormalizePhone returns the key under which phone numbers are compared for
// duplicates: the ASCII digits of s (full-width digits folded; spaces, dashes,
// dots, brackets and a leading '+' dropped), without the China country code
// in front of a mobile number ("+86 138-0013-8000", "0086 13800138000" and
// "8613800138000" all give 13800138000). Landlines keep their area code as
// typed ("010-8888 6666" gives 01088886666). It returns "" when s has no
// digits, and is idempotent.
func NormalizePhone(s string) string {
	d := phoneDigits(s)
	switch {
	case len(d) == 13 && strings.HasPrefix(d, "861"):
		return d[2:]
	case len(d) == 15 && strings.HasPrefix(d, "00861"):
		return d[4:]
	}
	return d
}

// phoneDigits returns the ASCII digits of s after full-width folding.
func phoneDigits(s string) string {
	var b strings.Builder
	for _, r := range width.Fold.String(s) {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ValidPhone reports whether s is a plausible phone number as entered: it is
// made only of digits (full-width too), spaces, '(', ')', '-', '.' and at most
// one '+' that comes first, and NormalizePhone(s) has 5 to 20 digits.
// Extensions (转, ext, x) and letters are not accepted.
func ValidPhone(s string) bool {
	seenDigit := false
	for i, r := range strings.TrimSpace(width.Fold.String(s)) {
		switch {
		case r >= '0' && r <= '9':
			seenDigit = true
		case r == ' ' || r == '(' || r == ')' || r == '-' || r == '.':
		case r == '+':
			if i != 0 {
				return false
			}
		default:
			return false
		}
	}
	if !seenDigit {
		return false
	}
	n := len(NormalizePhone(s))
	return n >= 5 && n <= 20
}

// NormalizeEmail returns the key under which e-mail addresses are compared
// for duplicates and the form in which they are stored: trimmed, full-width
// forms folded (＠ → @), lower-cased.
func NormalizeEmail(s string) string {
	return strings.TrimSpace(strings.ToLower(width.Fold.String(strings.TrimSpace(s))))
}

// maxEmailLen is the longest address SMTP can carry (RFC 5321 path limit).
const maxEmailLen = 254

// ValidEmail reports whether s is a plausible e-mail address. It checks the
// normalised form (NormalizeEmail), since that is what is stored: at most 254
// bytes, a bare address (no display name or comment) that net/mail accepts,
// exactly one '@', and a domain containing a dot that neither begins nor
// ends it.
func ValidEmail(s string) bool {
	v := NormalizeEmail(s)
	if v == "" || len(v) > maxEmailLen || strings.Count(v, "@") != 1 {
		return false
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v {
		return false
	}
	domain := v[strings.IndexByte(v, '@')+1:]
	return strings.Contains(domain, ".") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// MaskPhone hides most of a phone number, for contacts shown in a public pool
// before they are claimed. It works on NormalizePhone(s): 11 digits (a mobile)
// keep the first 3 and last 4 (138****5678); other numbers of 6 or more digits
// keep the first 3 and last 2 with the middle masked; shorter ones are all
// '*'. It returns "" when s has no digits.
func MaskPhone(s string) string {
	d := NormalizePhone(s)
	n := len(d)
	switch {
	case n == 11:
		return d[:3] + "****" + d[7:]
	case n >= 6:
		return d[:3] + strings.Repeat("*", n-5) + d[n-2:]
	default:
		return strings.Repeat("*", n)
	}
}

// MaskEmail hides most of an e-mail address, for contacts shown in a public
// pool before they are claimed: the first character of the local part and
// the whole domain stay (zhangsan@example.com → z***@example.com); a value
// without '@' becomes "***".
func MaskEmail(s string) string {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "***"
	}
	local, domain := s[:at], s[at+1:]
	first := ""
	if r, size := utf8.DecodeRuneInString(local); size > 0 && r != utf8.RuneError {
		first = string(r)
	}
	return first + "***@" + domain
}

// SearchFold returns the form used for substring search: the stored search
// text of a record and the user's query are both folded with it, so that a
// full-width or upper-case query finds half-width or lower-case text. It
// applies Unicode NFKC (which includes full-width to half-width folding),
// lower-casing and trimming; spaces and punctuation are kept. It is
// idempotent.
func SearchFold(s string) string {
	s = norm.NFKC.String(s)
	s = norm.NFKC.String(strings.ToLower(s))
	return strings.TrimSpace(s)
}

package store

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalizeName_LegalSuffixesCollide(t *testing.T) {
	groups := []struct {
		want  string
		names []string
	}{
		{"北京字节跳动科技", []string{
			"北京字节跳动科技有限公司",
			"北京字节跳动科技 有限公司",
			"北京字节跳动科技(有限公司)",
			"北京字节跳动科技（有限公司）",
			" 北京字节跳动科技有限公司 ",
			"\u3000北京字节跳动科技有限公司\u3000",
			"北京字节跳动科技有限责任公司",
			"北京字节跳动科技股份有限公司",
			"北京字节跳动科技公司",
			"北京字节跳动科技",
			"北京 字节跳动 科技",
			"北京字节跳动科技有 限 公 司",
		}},
		{"acme", []string{
			"Acme Co., Ltd.",
			"ACME LTD",
			"Acme Inc.",
			"ＡＣＭＥ",
			"acme",
			"Acme Limited",
			"Acme, Incorporated",
			"Acme LLC",
			"Acme Corp.",
			"Acme Corporation",
			"Acme Company",
			"Acme Group",
			"Acme GmbH",
			"Acme plc",
			"Acme Co.,Ltd",
			"Acme Group Co., Ltd.",
			"ＡＣＭＥ　ＣＯ．，ＬＴＤ．",
			"Acme 有限公司",
			"Acme公司",
			"Acme (Co., Ltd.)",
			"Acme 🚀 Inc.",
		}},
		{"深圳腾讯", []string{
			"深圳腾讯集团有限公司",
			"深圳腾讯集团",
			"深圳腾讯集团公司",
			"深圳腾讯总公司",
			"深圳腾讯股份",
		}},
		{"腾讯", []string{"腾讯Inc", "腾讯 Inc.", "腾讯公司"}},
		{"小米", []string{"小米工作室", "小米"}},
		{"华为深圳", []string{"华为深圳分公司", "华为深圳"}},
	}
	for _, g := range groups {
		for _, name := range g.names {
			if got := NormalizeName(name); got != g.want {
				t.Errorf("NormalizeName(%q) = %q, want %q", name, got, g.want)
			}
		}
	}
}

func TestNormalizeName_DistinctNamesStayDistinct(t *testing.T) {
	pairs := [][2]string{
		{"北京字节跳动", "上海字节跳动"},
		{"北京字节跳动科技有限公司", "上海字节跳动科技有限公司"},
		{"Cisco", "Cis"},
		{"Tesco", "Tes"},
		{"Zinc", "Z"},
		{"Disco Ltd", "Dis Co Ltd"},
		{"腾讯科技", "腾讯"},
		{"Acme1", "Acme2"},
	}
	for _, p := range pairs {
		a, b := NormalizeName(p[0]), NormalizeName(p[1])
		if a == b {
			t.Errorf("NormalizeName(%q) = NormalizeName(%q) = %q, want distinct", p[0], p[1], a)
		}
	}
}

func TestNormalizeName_EdgeCases(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"only spaces", "  \u3000\t ", ""},
		{"only punctuation", "（）——！!?,。、", ""},
		{"only emoji", "🚀🎉❤️", ""},
		{"only a suffix keeps it", "集团", "集团"},
		{"only suffixes keep them", "集团有限公司", "集团有限公司"},
		{"only an English suffix", "Co., Ltd.", "coltd"},
		{"only Ltd", "LTD", "ltd"},
		{"mixed Chinese English", "Tencent 腾讯科技有限公司", "tencent腾讯科技"},
		{"mixed English Chinese", "腾讯 Tencent Co., Ltd.", "腾讯tencent"},
		{"emoji dropped", "🍎 苹果 🍎 有限公司", "苹果"},
		{"zero-width chars dropped", "Ac\u200bme\u200d Ltd\ufeff", "acme"},
		{"suffix inside word kept", "Cisco Systems", "ciscosystems"},
		{"tail of word kept", "Tesco", "tesco"},
		{"full-width digits", "３６０安全科技有限公司", "360安全科技"},
		{"location after form kept", "某某科技有限公司(北京)", "某某科技有限公司北京"},
		{"case folded", "ÄPFEL GmbH", "äpfel"},
		{"symbols dropped", "A&B + C™ Co.", "abctm"},
		{"invalid utf8", "Acme\xff Ltd", "acme"},
		{"branch", "招商银行股份有限公司北京分公司", "招商银行股份有限公司北京"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeName(tt.in); got != tt.want {
				t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"+86 138-0013-8000", "13800138000"},
		{"0086 13800138000", "13800138000"},
		{"8613800138000", "13800138000"},
		{"(138) 0013 8000", "13800138000"},
		{"１３８００１３８０００", "13800138000"},
		{"13800138000", "13800138000"},
		{"+86 (138) 0013.8000", "13800138000"},
		{"＋８６　１３８－００１３－８０００", "13800138000"},
		{"010-8888 6666", "01088886666"},
		{"(010) 8888-6666", "01088886666"},
		{"+86 10 8888 6666", "861088886666"}, // landline: country code kept
		{"8623800138000", "8623800138000"},   // 86 + not a mobile
		{"+1 415 555 0100", "14155550100"},
		{"", ""},
		{"abc", ""},
		{"---", ""},
	}
	for _, tt := range tests {
		if got := NormalizePhone(tt.in); got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidPhone(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"13800138000", true},
		{"+86 138-0013-8000", true},
		{"(138) 0013 8000", true},
		{"１３８００１３８０００", true},
		{"（０１０）８８８８－６６６６", true},
		{"010.8888.6666", true},
		{" 12345 ", true},
		{"12345678901234567890", true},
		{"", false},
		{"   ", false},
		{"1234", false},
		{"123456789012345678901", false},
		{"138abc00138000", false},
		{"13800138000 ext 12", false},
		{"13800138000转123", false},
		{"138 0013 8000 x12", false},
		{"138+0013", false},
		{"++8613800138000", false},
		{"+-()", false},
		{"138/0013/8000", false},
	}
	for _, tt := range tests {
		if got := ValidPhone(tt.in); got != tt.want {
			t.Errorf("ValidPhone(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"  ZhangSan@Example.COM ", "zhangsan@example.com"},
		{"ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "zhang@example.com"},
		{"\u3000a@b.cn\u3000", "a@b.cn"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeEmail(tt.in); got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidEmail(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"zhangsan@example.com", true},
		{"  ZhangSan@Example.COM ", true},
		{"first.last+tag@mail.example.com.cn", true},
		{"ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", true},
		{"", false},
		{"zhangsan", false},
		{"zhangsan@", false},
		{"@example.com", false},
		{"zhangsan@localhost", false},
		{"a@b@example.com", false},
		{"Zhang San <zhangsan@example.com>", false},
		{"<zhangsan@example.com>", false},
		{"zhangsan@example.com (work)", false},
		{"zhang san@example.com", false},
		{"zhangsan@example..com", false},
		{"zhangsan@.example.com", false},
		{"zhangsan@example.com.", false},
		{strings.Repeat("a", 250) + "@b.cn", false},
	}
	for _, tt := range tests {
		if got := ValidEmail(tt.in); got != tt.want {
			t.Errorf("ValidEmail(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"13812345678", "138****5678"},
		{"+86 138-1234-5678", "138****5678"},
		{"１３８１２３４５６７８", "138****5678"},
		{"010-8888-6666", "010****6666"}, // 11 digits
		{"0755-888-666", "075*****66"},   // 10 digits
		{"123456", "123*56"},
		{"12345", "*****"},
		{"1", "*"},
		{"", ""},
		{"abc", ""},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskEmail(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"zhangsan@example.com", "z***@example.com"},
		{"z@example.com", "z***@example.com"},
		{"张三@例子.中国", "张***@例子.中国"},
		{"@example.com", "***@example.com"},
		{" zhangsan@example.com ", "z***@example.com"},
		{"zhangsan", "***"},
		{"", "***"},
	}
	for _, tt := range tests {
		if got := MaskEmail(tt.in); got != tt.want {
			t.Errorf("MaskEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSearchFold(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"  ＡＣＭＥ　Co., Ltd.  ", "acme co., ltd."},
		{"北京字节跳动科技（有限公司）", "北京字节跳动科技(有限公司)"},
		{"１３８ ００１３", "138 0013"},
		{"Zhang-San", "zhang-san"},
		{"ｶﾞｽ", "ガス"},
		{"", ""},
	}
	for _, tt := range tests {
		got := SearchFold(tt.in)
		if got != tt.want {
			t.Errorf("SearchFold(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := SearchFold(got); again != got {
			t.Errorf("SearchFold not idempotent on %q: %q then %q", tt.in, got, again)
		}
	}
	// A folded query is a substring of the folded text it should find.
	if text, q := SearchFold("北京字节跳动科技（有限公司）"), SearchFold("（有限"); !strings.Contains(text, q) {
		t.Errorf("folded %q does not contain folded query %q", text, q)
	}
}

var nameSeeds = []string{
	"", " ", "北京字节跳动科技有限公司", "北京字节跳动科技（有限公司）", "Acme Co., Ltd.",
	"ＡＣＭＥ", "集团", "集团有限公司", "Co., Ltd.", "腾讯 in c", "e.\u0301", "Ac\u200bme",
	"🚀🎉❤️", "Acme\xff Ltd", "ǰ", "İstanbul Ltd", "ｶﾞｽ株式会社", "㍿", "ﬁrm co",
}

func FuzzNormalizeName(f *testing.F) {
	for _, s := range nameSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := NormalizeName(s)
		if again := NormalizeName(k); again != k {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, k, again)
		}
		if !utf8.ValidString(k) {
			t.Fatalf("invalid UTF-8 key %q for %q", k, s)
		}
		if strings.ContainsAny(k, " \t\n") {
			t.Fatalf("key %q for %q contains spaces", k, s)
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"", "+86 138-0013-8000", "0086 13800138000", "8613800138000", "86861380013800",
		"00868613800138000", "１３８００１３８０００", "010-8888 6666", "abc",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := NormalizePhone(s)
		if again := NormalizePhone(p); again != p {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, p, again)
		}
		for _, r := range p {
			if r < '0' || r > '9' {
				t.Fatalf("NormalizePhone(%q) = %q has a non-digit", s, p)
			}
		}
		_ = ValidPhone(s)
		if m := MaskPhone(s); len(m) != len(p) {
			t.Fatalf("MaskPhone(%q) = %q, length differs from %q", s, m, p)
		}
	})
}

func FuzzSearchFold(f *testing.F) {
	for _, s := range nameSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := SearchFold(s)
		if again := SearchFold(k); again != k {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, k, again)
		}
		e := NormalizeEmail(s)
		if again := NormalizeEmail(e); again != e {
			t.Fatalf("NormalizeEmail not idempotent: %q -> %q -> %q", s, e, again)
		}
		_ = ValidEmail(s)
		_ = MaskEmail(s)
	})
}

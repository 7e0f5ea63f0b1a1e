package app

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-analyze/charts"
	"github.com/golang/freetype/truetype"
)

// Charts are SVG drawn on the server by go-analyze/charts (pure Go, line,
// bar, pie, doughnut, scatter and funnel; no JavaScript, prints well).
//
// Two things are added around the library:
//   - it measures text with its embedded Latin font, in which Chinese has no
//     glyphs and measures too narrow: labels get trailing spaces worth the
//     missing width (the browser drops trailing spaces when it draws, so
//     nothing shows, but the layout leaves room for the characters), and
//     the SVG names Chinese fonts after Roboto so the browser picks one;
//   - the library cannot emit links: each category label (axis label,
//     funnel stage, pie slice label) is wrapped in an <a> to the filtered
//     list of records behind it, and every row of the data table under the
//     chart links to the same place.

// Chart kinds.
const (
	chartLine     = "line"
	chartBar      = "bar"
	chartPie      = "pie"
	chartDoughnut = "doughnut"
	chartScatter  = "scatter"
	chartFunnel   = "funnel"
)

// chart is one chart with the data table it is drawn from.
type chart struct {
	ID     string
	Kind   string
	Title  string
	Help   string
	Labels []string
	Series []chartSeries
	Points [][]float64 // scatter: the y values at each label
	Links  []string    // per label: the records behind it
	Money  bool        // values are yuan
	Lang   string
	Table  *rtable
	SVG    template.HTML
}

type chartSeries struct {
	Name   string
	Values []float64
}

const chartWidth, chartHeight = 640, 320

// render draws the chart into c.SVG.
func (c *chart) render() error {
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputSVG, Width: chartWidth, Height: chartHeight})
	labels := make([]string, len(c.Labels))
	for i, l := range c.Labels {
		labels[i] = padCJK(l)
	}
	if err := c.draw(p, labels); err != nil {
		return fmt.Errorf("chart %s: %w", c.ID, err)
	}
	b, err := p.Bytes()
	if err != nil {
		return err
	}
	c.SVG = template.HTML(linkLabels(fixFonts(b), labels, c.Links))
	return nil
}

func (c *chart) empty() bool {
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v != 0 {
				return false
			}
		}
	}
	for _, ys := range c.Points {
		if len(ys) > 0 {
			return false
		}
	}
	return true
}

func (c *chart) draw(p *charts.Painter, labels []string) error {
	format := func(f float64) string { return plainNumber(f) }
	if c.Money {
		format = shortYuan(c.Lang)
	}
	zero := charts.Ptr(0.0)
	names := make([]string, len(c.Series))
	values := make([][]float64, len(c.Series))
	for i, s := range c.Series {
		names[i], values[i] = padCJK(s.Name), s.Values
	}
	legend := charts.LegendOption{SeriesNames: names, Show: charts.Ptr(len(names) > 1)}
	switch c.Kind {
	case chartLine:
		o := charts.NewLineChartOptionWithData(values)
		o.XAxis.Labels, o.Legend, o.ValueFormatter = labels, legend, format
		o.YAxis = []charts.YAxisOption{{Min: zero}}
		if len(labels) > 8 {
			// The library always draws the last label, which then
			// collides with the one before; slanted, they do not.
			o.XAxis.LabelRotation = charts.DegreesToRadians(30)
		}
		return p.LineChart(o)
	case chartBar:
		o := charts.NewBarChartOptionWithData(values)
		o.CategoryAxis.Labels, o.Legend, o.ValueFormatter = labels, legend, format
		o.ValueAxis = []charts.ValueAxisOption{{Min: zero}}
		if len(labels) > 6 {
			o.CategoryAxis.LabelRotation = charts.DegreesToRadians(30)
		}
		return p.BarChart(o)
	case chartPie, chartDoughnut:
		if len(values) == 0 {
			values = [][]float64{nil}
		}
		if c.Kind == chartDoughnut {
			o := charts.NewDoughnutChartOptionWithData(values[0])
			o.Legend = charts.LegendOption{SeriesNames: labels, Show: charts.Ptr(false)}
			return p.DoughnutChart(o)
		}
		o := charts.NewPieChartOptionWithData(values[0])
		o.Legend = charts.LegendOption{SeriesNames: labels, Show: charts.Ptr(false)}
		return p.PieChart(o)
	case chartScatter:
		o := charts.NewScatterChartOptionWithSeries(charts.NewSeriesListScatterMultiValue([][][]float64{c.Points}))
		o.XAxis.Labels, o.ValueFormatter = labels, format
		o.YAxis = []charts.YAxisOption{{Min: zero}}
		o.Legend.Show = charts.Ptr(false)
		return p.ScatterChart(o)
	case chartFunnel:
		if len(values) == 0 {
			values = [][]float64{nil}
		}
		o := charts.NewFunnelChartOptionWithData(values[0])
		o.Legend = charts.LegendOption{SeriesNames: labels, Show: charts.Ptr(false)}
		// Each band says its figure (the library's default, a share of
		// the widest band, reads like the table's conversion but is not),
		// on a light pill so that the link reads on any band's colour.
		pill := &charts.LabelStyle{BackgroundColor: charts.Color{R: 255, G: 255, B: 255, A: 220}, CornerRadius: 3}
		for i := range o.SeriesList {
			o.SeriesList[i].Label.LabelFormatter = func(_ int, name string, v float64) (string, *charts.LabelStyle) {
				return name + " " + format(v), pill
			}
		}
		return p.FunnelChart(o)
	}
	return fmt.Errorf("unknown chart kind %q", c.Kind)
}

// cjkPad is how many spaces make up the width a Chinese character lacks
// in the measuring font.
var cjkPad = func() int {
	f := charts.GetDefaultFont()
	if f == nil {
		return 2
	}
	face := truetype.NewFace(f, &truetype.Options{Size: 12, DPI: 72})
	han, _ := face.GlyphAdvance('中')
	sp, ok := face.GlyphAdvance(' ')
	if !ok || sp <= 0 {
		return 2
	}
	missing := float64(12*64-han) / float64(sp)
	return max(0, int(math.Round(missing)))
}()

// padCJK appends the spaces for each wide (Han, kana, full-width) rune.
func padCJK(s string) string {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || (r >= 0xFF00 && r <= 0xFFEF) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	return s + strings.Repeat(" ", n*cjkPad)
}

// fixFonts names Chinese fonts after the measuring font, so browsers on any
// system pick a font with the glyphs.
func fixFonts(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte(`font-family:'Roboto Medium',sans-serif`),
		[]byte(`font-family:'Roboto Medium','PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC','Source Han Sans SC',sans-serif`))
}

// linkLabels wraps the first <text> whose content starts with each label
// (in label order) in an <a> to its link.
func linkLabels(svg []byte, labels, links []string) string {
	s := string(svg)
	var out strings.Builder
	pos := 0
	for i, l := range labels {
		if i >= len(links) || links[i] == "" {
			continue
		}
		needle := ">" + html.EscapeString(l)
		if strings.TrimSpace(l) == "" {
			continue
		}
		at := strings.Index(s[pos:], needle)
		if at < 0 {
			continue
		}
		at += pos
		start := strings.LastIndex(s[:at], "<text")
		end := strings.Index(s[at:], "</text>")
		if start < pos || end < 0 {
			continue
		}
		end += at + len("</text>")
		out.WriteString(s[pos:start])
		fmt.Fprintf(&out, `<a href="%s" class="chart-link">%s</a>`, html.EscapeString(links[i]), s[start:end])
		pos = end
	}
	out.WriteString(s[pos:])
	return out.String()
}

// shortYuan shows yuan compactly on an axis, the way each language
// groups digits: 12.5万 / 3.2亿 in Chinese, 125k / 3.2M in English.
func shortYuan(lang string) func(float64) string {
	type unit struct {
		size float64
		name string
	}
	units := []unit{{1e8, "亿"}, {1e4, "万"}}
	if lang == "en" {
		units = []unit{{1e9, "B"}, {1e6, "M"}, {1e3, "k"}}
	}
	return func(f float64) string {
		for _, u := range units {
			if math.Abs(f) >= u.size {
				return strconv.FormatFloat(math.Round(f/u.size*10)/10, 'f', -1, 64) + u.name
			}
		}
		return plainNumber(f)
	}
}

func plainNumber(f float64) string {
	if f == math.Trunc(f) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

var oppPath = regexp.MustCompile(`^/opportunities/(\d+)$`)

// apiOpp is the part of the API's opportunity this package reads.
type apiOpp struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Amount   int64  `json:"amount"`
	Status   string `json:"status"`
	Customer struct {
		ID int64 `json:"id"`
	} `json:"customer"`
	Stage struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
		Kind string `json:"kind"`
	} `json:"stage"`
	Owner struct {
		ID int64 `json:"id"`
	} `json:"owner"`
	ExpectedClose string     `json:"expected_close"`
	LostReason    string     `json:"lost_reason"`
	ClosedAt      *time.Time `json:"closed_at"`
	Version       int        `json:"version"`
}

// apiStageChange is one row of GET /api/v1/opportunities/{id}/history.
type apiStageChange struct {
	From *struct {
		ID int64 `json:"id"`
	} `json:"from"`
	To struct {
		ID int64 `json:"id"`
	} `json:"to"`
	By *struct {
		ID int64 `json:"id"`
	} `json:"by"`
	At time.Time `json:"at"`
}

// stageIDs returns the ids of the pipeline stages by English name
// ("Discovery", "Won", "Lost"…).
func (s *testServer) stageIDs(t *testing.T, token string) map[string]int64 {
	t.Helper()
	var out struct {
		Items []struct {
			ID     int64  `json:"id"`
			NameEN string `json:"name_en"`
		} `json:"items"`
	}
	s.api(t, token, http.MethodGet, "/api/v1/stages", nil, http.StatusOK, &out)
	ids := map[string]int64{}
	for _, st := range out.Items {
		ids[st.NameEN] = st.ID
	}
	for _, want := range []string{"Discovery", "Pre-sales", "Negotiation", "Contract signed", "Delivery", "Won", "Lost"} {
		if ids[want] == 0 {
			t.Fatalf("no default stage %q in %+v", want, out.Items)
		}
	}
	return ids
}

// opp reads one opportunity with token.
func (s *testServer) opp(t *testing.T, token string, id int64) apiOpp {
	t.Helper()
	var o apiOpp
	s.api(t, token, http.MethodGet, fmt.Sprintf("/api/v1/opportunities/%d", id), nil, http.StatusOK, &o)
	return o
}

// oppHistory reads an opportunity's stage history (oldest first).
func (s *testServer) oppHistory(t *testing.T, token string, id int64) []apiStageChange {
	t.Helper()
	var out struct {
		Items []apiStageChange `json:"items"`
	}
	s.api(t, token, http.MethodGet, fmt.Sprintf("/api/v1/opportunities/%d/history", id), nil, http.StatusOK, &out)
	return out.Items
}

// createOppFromCustomer opens the customer page, follows its 新建商机 link,
// fills the form and saves; it returns the new opportunity's id.
func createOppFromCustomer(t *testing.T, ctx context.Context, srv *testServer, customer int64, name, amount, closeBy string) int64 {
	t.Helper()
	navigate(t, ctx, fmt.Sprintf("%s/customers/%d", srv.URL, customer))
	const link = `#opportunities a[href^="/opportunities/new"]`
	wantText(t, ctx, link, "新建商机")
	do(t, ctx, clickAndWait(link))
	wantPath(t, ctx, "/opportunities/new")
	do(t, ctx,
		fill("#name", name),
		fill("#amount", amount),
		chromedp.SetValue(chromedp.CSS("#expected_close"), closeBy),
		clickAndWait(`form.opp-form button[type=submit]`),
	)
	m := oppPath.FindStringSubmatch(pathOf(t, ctx))
	if m == nil {
		wantPath(t, ctx, "/opportunities/<id>")
	}
	wantText(t, ctx, ".flash", "商机已创建")
	wantText(t, ctx, ".page-head h1", name)
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// cardSel finds an opportunity's card on the board.
func cardSel(id int64) string { return fmt.Sprintf(`.opp-card[data-id="%d"]`, id) }

// dragJS dispatches, in the page, what a person's HTML5 drag of the card
// onto the drop target sends: dragstart on the card, dragenter, dragover
// and drop on the target, dragend on the card, all sharing one
// DataTransfer. It returns "" or what went wrong: board.js must put the
// card's id into the DataTransfer, accept the dragover (preventDefault)
// and handle the drop.
func dragJS(card, target string) string {
	return fmt.Sprintf(`(() => {
		const card = document.querySelector(%q), target = document.querySelector(%q);
		if (!card) return "no card " + %q;
		if (!target) return "no drop target " + %q;
		const dt = new DataTransfer();
		const send = (el, type) => el.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, composed: true, dataTransfer: dt}));
		send(card, "dragstart");
		if (!card.classList.contains("dragging")) return "nothing handled the dragstart (no .dragging on the card): board.js is not wired up";
		if (dt.getData("text/plain") !== card.dataset.id) return "dragstart put " + JSON.stringify(dt.getData("text/plain")) + " in the DataTransfer, want the card id";
		send(target, "dragenter");
		if (send(target, "dragover")) return "the target did not accept the dragover";
		if (send(target, "drop")) return "the drop was not handled";
		send(card, "dragend");
		return "";
	})()`, card, target, card, target)
}

// dragToColumn drags the card of opportunity id onto the column of stage
// and waits until board.js has saved the move: the card is in that column,
// not saving, with the next version, and no error is shown. Then it checks
// through the API that the stage changed.
func dragToColumn(t *testing.T, ctx context.Context, srv *testServer, token string, id, stage int64) {
	t.Helper()
	before := srv.opp(t, token, id)
	card := cardSel(id)
	if msg := get(t, ctx, chromedp.Evaluate[string](dragJS(card, fmt.Sprintf(`.board-col[data-stage-id="%d"] [data-drop]`, stage)))); msg != "" {
		t.Fatalf("drag of opportunity %d to stage %d: %s", id, stage, msg)
	}
	do(t, ctx, chromedp.Poll[chromedp.Void](fmt.Sprintf(`(() => { const c = document.querySelector(%q); return !!c && !c.classList.contains("saving"); })()`, card),
		chromedp.WithPollingTimeout(10*time.Second)))
	if msg := get(t, ctx, chromedp.Evaluate[string](`(() => { const m = document.querySelector("#board-msg"); return m && !m.hidden ? m.textContent : ""; })()`)); msg != "" {
		t.Fatalf("board says after the drop of opportunity %d: %s", id, msg)
	}
	state := get(t, ctx, chromedp.Evaluate[[]string](fmt.Sprintf(`(() => { const c = document.querySelector(%q);
		return [c.closest(".board-col").dataset.stageId, c.dataset.version, c.querySelector('input[name="version"]').value, c.querySelector('select[name="stage_id"]').value]; })()`, card)))
	want := []string{strconv.FormatInt(stage, 10), strconv.Itoa(before.Version + 1), strconv.Itoa(before.Version + 1), strconv.FormatInt(stage, 10)}
	if strings.Join(state, ",") != strings.Join(want, ",") {
		t.Fatalf("card after the drop: column, data-version, form version, select = %q, want %q", state, want)
	}
	after := srv.opp(t, token, id)
	if after.Stage.ID != stage || after.Version != before.Version+1 || after.Status != "open" {
		t.Fatalf("API after the drop: stage %d version %d status %s, want stage %d version %d open", after.Stage.ID, after.Version, after.Status, stage, before.Version+1)
	}
}

// boardColumns describes the open columns as the page shows them:
// "stage:count:sum:card ids".
func boardColumns(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return get(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".board-col[data-stage-id]")].map(c =>
		[c.dataset.stageId, c.querySelector(".board-count").textContent.trim(), c.querySelector(".board-sum").textContent.trim(),
		 [...c.querySelectorAll(".opp-card")].map(x => x.dataset.id).join(" ")].join(":"))`))
}

// wantHistory checks an opportunity's stage history: the stages in order
// (oldest first, starting with the creation), each change leaving the
// stage the previous one entered, by user, in time order, and ending at
// the current stage.
func wantHistory(t *testing.T, srv *testServer, token string, id, user int64, stages ...int64) {
	t.Helper()
	h := srv.oppHistory(t, token, id)
	cur := srv.opp(t, token, id)
	var got []int64
	for i, c := range h {
		got = append(got, c.To.ID)
		switch {
		case i == 0 && c.From != nil:
			t.Errorf("opportunity %d history[0] comes from stage %d, want the creation (no from)", id, c.From.ID)
		case i > 0 && (c.From == nil || c.From.ID != h[i-1].To.ID):
			t.Errorf("opportunity %d history[%d] = %+v does not leave the stage history[%d] entered (%d)", id, i, c, i-1, h[i-1].To.ID)
		}
		if c.By == nil || c.By.ID != user {
			t.Errorf("opportunity %d history[%d] by %+v, want user %d", id, i, c.By, user)
		}
		if i > 0 && c.At.Before(h[i-1].At) {
			t.Errorf("opportunity %d history[%d] at %s is before history[%d] at %s", id, i, c.At, i-1, h[i-1].At)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(stages) {
		t.Errorf("opportunity %d history goes through stages %v, want %v", id, got, stages)
	}
	if len(h) > 0 && h[len(h)-1].To.ID != cur.Stage.ID {
		t.Errorf("opportunity %d history ends at stage %d, but it is at stage %d", id, h[len(h)-1].To.ID, cur.Stage.ID)
	}
}

func TestPipeline_CreateDragLoseWin_CustomerBecomesCustomer_TimelineShowsAll(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	const (
		sales    = "陈浩"
		custName = "深圳市大疆创新科技有限公司"
		lostOpp  = "无人机巡检平台采购"
		wonOpp   = "大疆行业版年度服务"
		lostNote = "客户选了报价更低的方案"
	)
	user := srv.createStaff(t, "chen.hao", sales, "sales", 0)
	token := srv.token(t, "chen.hao", salesPassword)
	cust := srv.createCustomer(t, token, map[string]any{"name": custName, "phone": "0755-2665 6677"})
	stage := srv.stageIDs(t, token)
	loc := shanghai(t)
	closeBy := time.Now().In(loc).AddDate(0, 1, 0).Format("2006-01-02")

	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, "chen.hao", salesPassword)

	// An opportunity from the customer page.
	first := createOppFromCustomer(t, ctx, srv, cust, lostOpp, "12800.50", closeBy)
	if o := srv.opp(t, token, first); o.Amount != 1280050 || o.ExpectedClose != closeBy || o.Stage.ID != stage["Discovery"] ||
		o.Status != "open" || o.Customer.ID != cust || o.Owner.ID != user {
		t.Fatalf("created opportunity = %+v, want 1280050 fen, close %s, stage Discovery, open, customer %d, owner %d", o, closeBy, cust, user)
	}

	// On the board, dragged across three stages.
	do(t, ctx, clickAndWait(`.nav-desktop a[href="/pipeline"]`))
	wantPath(t, ctx, "/pipeline")
	card := cardSel(first)
	for _, want := range []string{custName, lostOpp, "¥12,800.50", sales} {
		wantText(t, ctx, card, want)
	}
	wantText(t, ctx, fmt.Sprintf(`.board-col[data-stage-id="%d"]`, stage["Discovery"]), lostOpp)
	for _, to := range []string{"Pre-sales", "Negotiation", "Contract signed"} {
		dragToColumn(t, ctx, srv, token, first, stage[to])
	}
	shot(t, ctx, "30-pipeline-board-dragged")

	// What the script showed is what the server renders after a reload.
	shown := boardColumns(t, ctx)
	do(t, ctx, chromedp.Reload())
	if rendered := boardColumns(t, ctx); strings.Join(shown, "|") != strings.Join(rendered, "|") {
		t.Errorf("board columns after the drags = %q, after a reload = %q", shown, rendered)
	}
	wantText(t, ctx, fmt.Sprintf(`.board-col[data-stage-id="%d"] .board-sum`, stage["Contract signed"]), "¥12,800.50")
	// The forecast weighs the amount by the new stage's 80 %.
	if got := texts(t, ctx, ".forecast .kpi-value"); len(got) < 2 || got[0] != "¥12,800.50" || got[1] != "¥10,240.40" {
		t.Errorf("forecast after the drags (open, weighted, …) = %q, want ¥12,800.50 and ¥10,240.40", got)
	}

	// Without dragging: the card's own select and 移动 (keyboard, phone).
	choose(t, ctx, card+` select[name="stage_id"]`, "产品交付")
	do(t, ctx, clickAndWait(card+` .opp-move button[type=submit]`))
	wantPath(t, ctx, "/pipeline")
	wantText(t, ctx, ".flash", "阶段已更新")
	wantText(t, ctx, fmt.Sprintf(`.board-col[data-stage-id="%d"]`, stage["Delivery"]), lostOpp)
	if o := srv.opp(t, token, first); o.Stage.ID != stage["Delivery"] {
		t.Fatalf("after 移动 the opportunity is at stage %d, want Delivery (%d)", o.Stage.ID, stage["Delivery"])
	}

	// Dropped on 输单: the close form asks for a reason, and insists.
	lostTarget := fmt.Sprintf(`.board-outcome[data-stage-id="%d"]`, stage["Lost"])
	wantText(t, ctx, lostTarget, "输单")
	drop := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		msg, err := chromedp.Evaluate[string](dragJS(card, lostTarget))(ctx, tg)
		if err == nil && msg != "" {
			err = fmt.Errorf("drag to 输单: %s", msg)
		}
		return err
	})
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	_, err := chromedp.Run(dctx, chromedp.WaitEvent(page.LoadEventFired, nil, drop))
	cancel()
	if err != nil {
		t.Fatalf("drop on 输单 did not open the close form: %v", err)
	}
	wantPath(t, ctx, fmt.Sprintf("/opportunities/%d/close", first))
	wantText(t, ctx, ".close-form .hint", "从 产品交付 移到 输单")
	do(t, ctx, clickAndWait(`form.close-form button[type=submit]`))
	wantPath(t, ctx, fmt.Sprintf("/opportunities/%d/close", first))
	if got := get(t, ctx, chromedp.Evaluate[string](`document.querySelector("#lost_reason").getAttribute("aria-invalid") || ""`)); got != "true" {
		t.Errorf("lost without a reason: #lost_reason aria-invalid = %q, want true", got)
	}
	if o := srv.opp(t, token, first); o.Status != "open" {
		t.Fatalf("lost without a reason was saved: %+v", o)
	}
	choose(t, ctx, "#lost_reason", "价格太高")
	do(t, ctx,
		fill("#lost_note", lostNote),
		clickAndWait(`form.close-form button[type=submit]`),
	)
	wantPath(t, ctx, "/pipeline")
	wantText(t, ctx, ".flash", "已标记为输单")
	if n := get(t, ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, card))); n != 0 {
		t.Errorf("the lost opportunity is still on the board (%d cards)", n)
	}
	if o := srv.opp(t, token, first); o.Status != "lost" || o.Stage.ID != stage["Lost"] || o.LostReason != "价格太高 — "+lostNote {
		t.Fatalf("after 输单: %+v, want lost at stage %d with reason 价格太高 — %s", o, stage["Lost"], lostNote)
	}

	// A second opportunity, won through the card's select: amount and date.
	second := createOppFromCustomer(t, ctx, srv, cust, wonOpp, "35000", closeBy)
	do(t, ctx, clickAndWait(`.nav-desktop a[href="/pipeline"]`))
	card2 := cardSel(second)
	choose(t, ctx, card2+` select[name="stage_id"]`, "赢单")
	do(t, ctx, clickAndWait(card2+` .opp-move button[type=submit]`))
	wantPath(t, ctx, fmt.Sprintf("/opportunities/%d/close", second))
	if got := value(t, ctx, "#amount"); got != "35000.00" {
		t.Errorf("won form amount = %q, want the opportunity's 35000.00", got)
	}
	today := time.Now().In(loc).Format("2006-01-02")
	if got := value(t, ctx, "#closed_at"); got != today {
		t.Errorf("won form date = %q, want today %s", got, today)
	}
	do(t, ctx,
		fill("#amount", "36800"),
		chromedp.SetValue(chromedp.CSS("#closed_at"), today),
	)
	shot(t, ctx, "31-pipeline-won-form")
	do(t, ctx, clickAndWait(`form.close-form button[type=submit]`))
	wantPath(t, ctx, "/pipeline")
	wantText(t, ctx, ".flash", "恭喜赢单")
	if o := srv.opp(t, token, second); o.Status != "won" || o.Stage.ID != stage["Won"] || o.Amount != 3680000 || o.ClosedAt == nil ||
		o.ClosedAt.In(loc).Format("2006-01-02") != today {
		t.Fatalf("after 赢单: %+v, want won at stage %d, 3680000 fen, closed today", o, stage["Won"])
	}
	var c struct {
		Status string `json:"status"`
	}
	srv.api(t, token, http.MethodGet, fmt.Sprintf("/api/v1/customers/%d", cust), nil, http.StatusOK, &c)
	if c.Status != "customer" {
		t.Errorf("customer status after the win = %q, want customer", c.Status)
	}

	// The customer page: 成交客户, both opportunities, every change.
	navigate(t, ctx, fmt.Sprintf("%s/customers/%d", srv.URL, cust))
	wantText(t, ctx, ".customer-head .head-meta .badge", "成交客户")
	rows := strings.Join(texts(t, ctx, "#opportunities .opp-row"), "\n")
	for _, want := range []string{lostOpp, "输单", "¥12,800.50", wonOpp, "赢单", "¥36,800.00"} {
		if !strings.Contains(rows, want) {
			t.Errorf("customer's opportunities %q, want them to contain %q", rows, want)
		}
	}
	moved := func(name, from, to string) string {
		return fmt.Sprintf("%s 把商机「%s」从 %s 推进到 %s", sales, name, from, to)
	}
	want := []string{ // newest first
		sales + " 把 状态 从「线索」改为「成交客户」",
		moved(wonOpp, "发现商机", "赢单"),
		fmt.Sprintf("%s 新建了商机「%s」（发现商机）", sales, wonOpp),
		moved(lostOpp, "产品交付", "输单"),
		moved(lostOpp, "合同签订", "产品交付"),
		moved(lostOpp, "商务谈判", "合同签订"),
		moved(lostOpp, "售前交流", "商务谈判"),
		moved(lostOpp, "发现商机", "售前交流"),
		fmt.Sprintf("%s 新建了商机「%s」（发现商机）", sales, lostOpp),
		sales + " 创建了客户",
	}
	got := texts(t, ctx, "#timeline .tl-item .tl-text")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline (newest first):\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	items := texts(t, ctx, "#timeline .tl-item")
	if len(items) > 3 && !strings.Contains(items[3], "原因：价格太高 — "+lostNote) {
		t.Errorf("timeline item of the loss = %q, want the reason 价格太高 — %s", items[3], lostNote)
	}
	shot(t, ctx, "32-pipeline-customer-timeline")

	// The stage history: every move, oldest first, ending where it is.
	wantHistory(t, srv, token, first, user, stage["Discovery"], stage["Pre-sales"], stage["Negotiation"],
		stage["Contract signed"], stage["Delivery"], stage["Lost"])
	wantHistory(t, srv, token, second, user, stage["Discovery"], stage["Won"])
}

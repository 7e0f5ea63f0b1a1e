package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const phoneWidth, phoneHeight = 375, 812

// apiTask is the part of the API's task this package reads.
type apiTask struct {
	ID         int64  `json:"id"`
	Title      string `json:"title"`
	Done       bool   `json:"done"`
	FollowupID *int64 `json:"followup_id"`
}

// A salesperson schedules a visit with a reminder from the customer page,
// sees it in My day and the calendar, is reminded when the time comes
// (bell and notification centre), marks the notice read, and completes the
// visit by logging the follow-up that answers it.
func TestTasks_ReminderToFollowupCompletesTask(t *testing.T) {
	t.Parallel()
	srv := startClockServer(t)
	east := srv.createDepartment(t, "华东销售部", 0)
	srv.createStaff(t, "li.na", "李娜", "sales", east)
	zone, _ := time.LoadLocation("Asia/Shanghai")
	// Start the day at 09:00 tomorrow (company time) so "today" is fixed.
	y, m, d := srv.now().In(zone).AddDate(0, 0, 1).Date()
	morning := time.Date(y, m, d, 9, 0, 0, 0, zone)
	srv.advance(morning.Sub(srv.now()))
	day := morning.Format("2006-01-02")

	token := srv.token(t, "li.na", salesPassword)
	cust := srv.createCustomer(t, token, map[string]any{"name": "苏州星海精密机械有限公司", "phone": "13912345678"})
	for i, title := range []string{"电话回访无锡太湖软件", "季度经营会议"} {
		kind := []string{"callback", "meeting"}[i]
		due := morning.AddDate(0, 0, 2+i*3).Add(time.Duration(i+1) * time.Hour)
		srv.api(t, token, http.MethodPost, "/api/v1/tasks", map[string]any{"title": title, "kind": kind,
			"due_at": due.Format(time.RFC3339)}, http.StatusCreated, nil)
	}

	ctx := newBrowser(t, desktopWidth, desktopHeight)
	login(t, ctx, srv.URL, "li.na", salesPassword)

	// Create the task with a reminder one hour before, from the customer page.
	navigate(t, ctx, fmt.Sprintf("%s/customers/%d", srv.URL, cust))
	do(t, ctx, clickAndWait(`#tasks a.btn`))
	wantPath(t, ctx, "/tasks/new")
	if got := value(t, ctx, "#customer_name"); got != "苏州星海精密机械有限公司" {
		t.Fatalf("task form customer = %q, want the customer it came from", got)
	}
	const title = "上门拜访，确认报价"
	do(t, ctx,
		fill("#title", title),
		chromedp.SetValue(chromedp.CSS("#due_at"), day+"T11:00"),
		chromedp.Click(chromedp.CSS(`input[name="remind"][value="1h"]`), chromedp.NodeVisible),
	)
	shot(t, ctx, "59-tasks-form")
	do(t, ctx, clickAndWait(`form.task-form button[type=submit]`))
	wantPath(t, ctx, fmt.Sprintf("/customers/%d", cust))
	wantText(t, ctx, ".flash", "日程已创建")
	wantText(t, ctx, "#tasks", title)
	wantText(t, ctx, "#tasks", "10:00 提醒")
	var tasks struct{ Items []apiTask }
	srv.api(t, token, http.MethodGet, fmt.Sprintf("/api/v1/tasks?customer_id=%d", cust), nil, http.StatusOK, &tasks)
	if len(tasks.Items) != 1 || tasks.Items[0].Title != title {
		t.Fatalf("customer's tasks: %+v", tasks.Items)
	}
	task := tasks.Items[0]

	// My day: today's section.
	navigate(t, ctx, srv.URL+"/today")
	wantText(t, ctx, "#today", title)
	wantText(t, ctx, "#today", "11:00")
	wantText(t, ctx, "#week", "电话回访无锡太湖软件")
	shot(t, ctx, "60-tasks-my-day")

	// The calendar: month and week, today highlighted.
	navigate(t, ctx, srv.URL+"/calendar")
	wantText(t, ctx, fmt.Sprintf(`.cal-day.cal-today[data-date=%q]`, day), title)
	shot(t, ctx, "61-tasks-calendar-month")
	navigate(t, ctx, srv.URL+"/calendar?view=week")
	wantText(t, ctx, fmt.Sprintf(`.cal-day.cal-today[data-date=%q]`, day), title)
	shot(t, ctx, "62-tasks-calendar-week")

	// 10:01: the reminder job runs and writes the reminder, on time.
	srv.advance(61 * time.Minute)
	var run struct{ Reminded, Late int }
	srv.api(t, srv.asAdmin(t), http.MethodPost, "/api/v1/admin/jobs/reminders", nil, http.StatusOK, &run)
	if run.Reminded != 1 || run.Late != 0 {
		t.Fatalf("reminder run: %+v, want one reminder on time", run)
	}
	navigate(t, ctx, srv.URL+"/today")
	wantText(t, ctx, ".bell .bell-count", "1")
	do(t, ctx, clickAndWait(".bell"))
	wantPath(t, ctx, "/notifications")
	wantText(t, ctx, ".notif-unread", "日程提醒："+title)
	shot(t, ctx, "63-tasks-notification")
	do(t, ctx, clickAndWait(".notif-unread .notif-read button"))
	if n := texts(t, ctx, ".notif-unread"); len(n) != 0 {
		t.Fatalf("unread after marking read: %q", n)
	}
	if n := texts(t, ctx, ".bell .bell-count"); len(n) != 0 {
		t.Fatalf("bell still counts %q", n)
	}

	// Complete the visit by logging the follow-up that answers it.
	navigate(t, ctx, fmt.Sprintf("%s/customers/%d", srv.URL, cust))
	shot(t, ctx, "66-tasks-customer-page")
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS("#fu_task"), fmt.Sprint(task.ID)),
		fill("#fu_content", "上门拜访，客户确认报价，下周签合同"),
		clickAndWait(`#followup form button[type=submit]`),
	)
	wantText(t, ctx, ".flash", "跟进")
	var done apiTask
	srv.api(t, token, http.MethodGet, fmt.Sprintf("/api/v1/tasks/%d", task.ID), nil, http.StatusOK, &done)
	if !done.Done || done.FollowupID == nil {
		t.Fatalf("task after the follow-up: %+v, want done by it", done)
	}
	wantText(t, ctx, "#tasks", "暂无未完成的日程")
	navigate(t, ctx, srv.URL+"/today")
	if got := text(t, ctx, "#today"); strings.Contains(got, title) {
		t.Errorf("My day still lists the completed task: %q", got)
	}

	navigate(t, ctx, fmt.Sprintf("%s/tasks/%d", srv.URL, task.ID))
	wantText(t, ctx, ".page-head", "已完成")
	shot(t, ctx, "67-tasks-task-page")
	navigate(t, ctx, srv.URL+"/tasks?status=all")
	wantText(t, ctx, ".task-card", title)
	shot(t, ctx, "68-tasks-list")

	// The same pages on a phone.
	phone := newBrowser(t, phoneWidth, phoneHeight)
	login(t, phone, srv.URL, "li.na", salesPassword)
	navigate(t, phone, srv.URL+"/today")
	shot(t, phone, "64-tasks-my-day-phone")
	navigate(t, phone, srv.URL+"/calendar")
	wantText(t, phone, ".cal-today", title)
	shot(t, phone, "65-tasks-calendar-phone")
}

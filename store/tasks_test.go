package store

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// taskClock pins the store's clock to a settable time.
type taskClock struct{ t atomic.Int64 }

func (c *taskClock) now() time.Time      { return time.Unix(c.t.Load(), 0).UTC() }
func (c *taskClock) set(t time.Time)     { c.t.Store(t.Unix()) }
func (c *taskClock) add(d time.Duration) { c.t.Add(int64(d / time.Second)) }

func withClock(f *fixture, start time.Time) *taskClock {
	c := &taskClock{}
	c.set(start)
	f.s.Now = c.now
	return c
}

var taskStart = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai

func newTask(title string, due time.Time, remind *time.Time) TaskInput {
	return TaskInput{Title: ptr(title), Kind: ptr("visit"), DueAt: &due, RemindAt: remind}
}

func mustTask(t *testing.T, f *fixture, u *User, in TaskInput) *Task {
	t.Helper()
	task, err := f.s.CreateTask(context.Background(), u, in)
	if err != nil {
		t.Fatalf("create task %q: %v", deref(in.Title), err)
	}
	return task
}

func wantField(t *testing.T, err error, code, field string) {
	t.Helper()
	e, ok := AsError(err)
	if !ok || e.Code != code || (field != "" && e.Fields[field].Key == "") {
		t.Fatalf("got %v, want %s with a message for %q", err, code, field)
	}
}

func TestCreateTask_DefaultsAndFieldRules(t *testing.T) {
	f := newFixture(t)
	withClock(f, taskStart)
	ctx := context.Background()
	due := taskStart.Add(3 * time.Hour)
	task := mustTask(t, f, f.salesA, newTask("拜访华润", due, nil))
	if task.Assignee.ID != f.salesA.ID || task.CreatedBy.ID != f.salesA.ID || task.Done || task.Version != 1 {
		t.Fatalf("new task: %+v, want assigned to and created by salesA, open, version 1", task)
	}
	late := due.Add(time.Minute)
	_, err := f.s.CreateTask(ctx, f.salesA, newTask("x", due, &late))
	wantField(t, err, CodeInvalid, "remind_at")
	_, err = f.s.CreateTask(ctx, f.salesA, TaskInput{Title: ptr(" "), Kind: ptr("party")})
	wantField(t, err, CodeInvalid, "title")
	wantField(t, err, CodeInvalid, "kind")
	wantField(t, err, CodeInvalid, "due_at")
}

func TestCreateTask_WhoMayAssignToWhom(t *testing.T) {
	f := newFixture(t)
	withClock(f, taskStart)
	ctx := context.Background()
	in := newTask("回访", taskStart.Add(time.Hour), nil)
	in.AssigneeID = &f.salesB.ID
	_, err := f.s.CreateTask(ctx, f.salesA, in)
	wantField(t, err, CodeForbidden, "assignee_id")
	if task := mustTask(t, f, f.mgr, in); task.Assignee.ID != f.salesB.ID {
		t.Fatalf("manager's task for salesB is assigned to %+v", task.Assignee)
	}
	in.AssigneeID = &f.salesN.ID
	_, err = f.s.CreateTask(ctx, f.mgr, in)
	wantField(t, err, CodeInvalid, "assignee_id")
	mustTask(t, f, f.admin, in)
}

func TestTask_LinksMustBeVisible(t *testing.T) {
	f := newFixture(t)
	withClock(f, taskStart)
	ctx := context.Background()
	other := f.customer(t, f.salesN, "北京远航科技有限公司", "13900000001")
	in := newTask("拜访", taskStart.Add(time.Hour), nil)
	in.CustomerID = &other.ID
	_, err := f.s.CreateTask(ctx, f.salesA, in)
	wantField(t, err, CodeInvalid, "customer_id")
	mine := f.customer(t, f.salesA, "上海华润万家有限公司", "13900000002")
	in.CustomerID = &mine.ID
	if task := mustTask(t, f, f.salesA, in); task.Customer == nil || task.Customer.Name != mine.Name {
		t.Fatalf("task customer %+v, want %s", task.Customer, mine.Name)
	}
}

func TestTask_VisibilityAndVersion(t *testing.T) {
	f := newFixture(t)
	withClock(f, taskStart)
	ctx := context.Background()
	task := mustTask(t, f, f.salesA, newTask("会议", taskStart.Add(time.Hour), nil))
	for _, u := range []*User{f.salesB, f.salesN} {
		if _, err := f.s.Task(ctx, u, task.ID); !IsCode(err, CodeNotFound) {
			t.Errorf("%s sees salesA's task: %v", u.Name, err)
		}
		if err := f.s.DeleteTask(ctx, u, task.ID); !IsCode(err, CodeNotFound) {
			t.Errorf("%s deletes salesA's task: %v", u.Name, err)
		}
	}
	for _, u := range []*User{f.mgr, f.admin} {
		if _, err := f.s.Task(ctx, u, task.ID); err != nil {
			t.Errorf("%s cannot see the team's task: %v", u.Name, err)
		}
	}
	v1 := 1
	if _, err := f.s.UpdateTask(ctx, f.mgr, task.ID, TaskInput{Title: ptr("会议（改）"), Version: &v1}); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.UpdateTask(ctx, f.salesA, task.ID, TaskInput{Title: ptr("覆盖"), Version: &v1})
	wantField(t, err, CodeConflict, "")
	done, err := f.s.SetTaskDone(ctx, f.salesA, task.ID, true)
	if err != nil || !done.Done || done.Title != "会议（改）" {
		t.Fatalf("complete: %+v %v", done, err)
	}
	list, err := f.s.ListTasks(ctx, f.salesA, TaskQuery{Assignee: "me", Status: "open"})
	if err != nil || list.Total != 0 {
		t.Fatalf("open tasks after completing: %d %v", list.Total, err)
	}
}

func TestReminders_ExactlyOnceUnderConcurrentRuns(t *testing.T) {
	f := newFixture(t)
	clock := withClock(f, taskStart)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		due := taskStart.Add(time.Hour + time.Duration(i)*time.Minute)
		remind := due.Add(-15 * time.Minute)
		mustTask(t, f, f.salesA, newTask("回访客户", due, &remind))
	}
	if _, err := f.s.CreateWebhook(ctx, f.admin, WebhookInput{URL: ptr("http://127.0.0.1:9099/hook"), Events: &[]string{EventTaskDue}}); err != nil {
		t.Fatal(err)
	}
	if res, _ := f.s.SendDueReminders(ctx, time.Minute); res.Reminded != 0 {
		t.Fatalf("reminded %d before any was due", res.Reminded)
	}
	clock.add(50 * time.Minute)
	var wg sync.WaitGroup
	var total atomic.Int64
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := f.s.SendDueReminders(ctx, 5*time.Minute)
			if err != nil {
				t.Error(err)
			}
			total.Add(int64(res.Reminded))
		}()
	}
	wg.Wait()
	ns, _ := f.s.Notifications(ctx, f.salesA, true, 100)
	if total.Load() != 5 || len(ns) != 5 {
		t.Fatalf("8 overlapping runs reminded %d times, %d notifications; want 5 and 5", total.Load(), len(ns))
	}
	for _, n := range ns {
		if n.Kind != "task_reminder" || n.Args["Late"] != false || n.Link == "" {
			t.Errorf("notification %+v, want an on-time task_reminder with a link", n)
		}
	}
	// Integrations hear of each reminder once too (task.due webhook).
	due, err := f.s.DueWebhookDeliveries(ctx, 100)
	if err != nil || len(due) != 5 {
		t.Fatalf("task.due deliveries %d, want 5: %v", len(due), err)
	}
	for _, d := range due {
		if !strings.Contains(string(d.Body), `"event":"task.due"`) {
			t.Errorf("delivery body %s", d.Body)
		}
	}
}

func TestReminders_CatchUpAfterDowntimeIsLate(t *testing.T) {
	f := newFixture(t)
	clock := withClock(f, taskStart)
	ctx := context.Background()
	due := taskStart.Add(2 * time.Hour)
	remind := due.Add(-time.Hour)
	task := mustTask(t, f, f.salesA, newTask("拜访", due, &remind))
	clock.add(5 * time.Hour) // the server was down when it fell due
	res, err := f.s.SendDueReminders(ctx, time.Minute)
	if err != nil || res.Reminded != 1 || res.Late != 1 {
		t.Fatalf("catch-up run: %+v %v, want one late reminder", res, err)
	}
	ns, _ := f.s.Notifications(ctx, f.salesA, true, 10)
	if len(ns) != 1 || ns[0].Args["Late"] != true {
		t.Fatalf("notifications %+v, want one marked late", ns)
	}
	// A new reminder time re-arms it; the same time again does not repeat.
	v := task.Version
	newRemind := clock.now().Add(time.Minute)
	newDue := newRemind.Add(time.Hour)
	if _, err := f.s.UpdateTask(ctx, f.salesA, task.ID, TaskInput{DueAt: &newDue, RemindAt: &newRemind, Version: &v}); err != nil {
		t.Fatal(err)
	}
	clock.add(2 * time.Minute)
	if res, _ := f.s.SendDueReminders(ctx, time.Minute); res.Reminded != 1 || res.Late != 0 {
		t.Fatalf("re-armed reminder: %+v, want one on time", res)
	}
	if res, _ := f.s.SendDueReminders(ctx, time.Minute); res.Reminded != 0 {
		t.Fatalf("second run reminded %d again", res.Reminded)
	}
}

func TestReminders_FollowupDueOncePerTime(t *testing.T) {
	f := newFixture(t)
	clock := withClock(f, taskStart)
	ctx := context.Background()
	c := f.customer(t, f.salesA, "杭州海康物流有限公司", "13900000003")
	next := taskStart.Add(2 * time.Hour)
	if _, err := f.s.AddFollowup(ctx, f.salesA, c.ID, FollowupInput{Kind: "call", Content: "电话沟通", NextAt: &next}); err != nil {
		t.Fatal(err)
	}
	if res, _ := f.s.SendDueReminders(ctx, time.Minute); res.Followups != 0 {
		t.Fatal("follow-up notified before its time")
	}
	clock.add(3 * time.Hour)
	for i := 0; i < 3; i++ {
		if _, err := f.s.SendDueReminders(ctx, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	ns, _ := f.s.Notifications(ctx, f.salesA, false, 10)
	if len(ns) != 1 || ns[0].Kind != "followup_due" || ns[0].Link != customerLink(c.ID) {
		t.Fatalf("notifications %+v, want one followup_due", ns)
	}
}

func TestFollowup_CompletesTaskAndSetsNextInOneTx(t *testing.T) {
	f := newFixture(t)
	withClock(f, taskStart)
	ctx := context.Background()
	c := f.customer(t, f.salesA, "苏州星海精密机械有限公司", "13900000004")
	in := newTask("回访报价", taskStart.Add(time.Hour), nil)
	in.CustomerID = &c.ID
	task := mustTask(t, f, f.salesA, in)

	// A bad next task refuses the whole follow-up: nothing is written.
	badNext := TaskInput{Title: ptr("下次拜访"), Kind: ptr("visit")}
	_, err := f.s.AddFollowup(ctx, f.salesA, c.ID, FollowupInput{Kind: "call", Content: "已报价", TaskID: &task.ID, NextTask: &badNext})
	wantField(t, err, CodeInvalid, "next_due_at")
	if cur, _ := f.s.Task(ctx, f.salesA, task.ID); cur.Done {
		t.Fatal("task completed by a refused follow-up")
	}
	if fus, _ := f.s.Followups(ctx, f.salesA, c.ID, 0); len(fus) != 0 {
		t.Fatal("refused follow-up was written")
	}

	nextDue := taskStart.Add(72 * time.Hour)
	next := TaskInput{Title: ptr("下次拜访"), Kind: ptr("visit"), DueAt: &nextDue}
	fu, err := f.s.AddFollowup(ctx, f.salesA, c.ID, FollowupInput{Kind: "call", Content: "已报价", TaskID: &task.ID, NextTask: &next})
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := f.s.Task(ctx, f.salesA, task.ID)
	if !cur.Done || cur.FollowupID == nil || *cur.FollowupID != fu.ID {
		t.Fatalf("answered task: %+v, want done by follow-up %d", cur, fu.ID)
	}
	open, _ := f.s.ListTasks(ctx, f.salesA, TaskQuery{CustomerID: c.ID, Status: "open"})
	if open.Total != 1 || open.Items[0].Title != "下次拜访" || !open.Items[0].DueAt.Equal(nextDue) {
		t.Fatalf("open tasks of the customer: %+v, want the next visit", open.Items)
	}
	// A task cannot be completed twice.
	_, err = f.s.AddFollowup(ctx, f.salesA, c.ID, FollowupInput{Kind: "call", Content: "再次", TaskID: &task.ID})
	wantField(t, err, CodeInvalid, "task_id")
}

func TestTransfer_NotifiesBothOwners(t *testing.T) {
	f := newFixture(t)
	withClock(f, taskStart)
	ctx := context.Background()
	c := f.customer(t, f.salesA, "南京紫金电子有限公司", "13900000005")
	if _, err := f.s.TransferCustomer(ctx, f.mgr, c.ID, f.salesB.ID); err != nil {
		t.Fatal(err)
	}
	in, _ := f.s.Notifications(ctx, f.salesB, true, 10)
	out, _ := f.s.Notifications(ctx, f.salesA, true, 10)
	if len(in) != 1 || in[0].Kind != "transferred_in" || len(out) != 1 || out[0].Kind != "transferred_out" {
		t.Fatalf("new owner told %+v, previous owner told %+v", in, out)
	}
	if mine, _ := f.s.Notifications(ctx, f.mgr, true, 10); len(mine) != 0 {
		t.Fatalf("the manager who transferred was told %+v", mine)
	}
}

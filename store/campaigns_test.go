package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"
)

func campaignIn(tags ...string) CampaignInput {
	return CampaignInput{Name: "双十二活动", Language: "zh-CN", Tags: tags,
		Subject: "{{.ContactName}}，{{.CompanyName}}年终优惠", Body: "{{.ContactName}}您好：\n\n{{.CustomerName}}专享年终八折。\n\n{{.OwnerName}}"}
}

func TestCampaign_VisibilityRateUnsubscribeAndLog(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	f.s.Mail.RatePerMinute = 2
	f.taggedCustomer(t, f.salesA, "星河科技", "年终", "李雷", "lilei@xinghe.cn", "")
	f.taggedCustomer(t, f.salesA, "远洋物流", "年终", "韩梅梅", "meimei@yuanyang.cn", "")
	f.taggedCustomer(t, f.salesA, "北辰", "年终", "张三", "", "")
	_, gone := f.taggedCustomer(t, f.salesA, "东方", "年终", "王五", "w5@dongfang.cn", "")
	f.taggedCustomer(t, f.salesA, "西山", "其他", "赵六", "z6@xishan.cn", "")
	f.taggedCustomer(t, f.salesN, "华北客户", "年终", "Tom", "tom@huabei.cn", "")
	// 王五 unsubscribed from an earlier greeting.
	if err := f.s.QueueGreeting(ctx, f.salesA, gone.ID); err != nil {
		t.Fatal(err)
	}
	f.send(t)
	if err := f.s.Unsubscribe(ctx, unsubscribeLink(t, f.smtp.To("w5@dongfang.cn")[0].Text())); err != nil {
		t.Fatal(err)
	}

	p, err := f.s.PreviewCampaign(ctx, f.salesA, campaignIn("年终"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Recipients != 2 || p.NoEmail != 1 || p.Unsubscribed != 1 || p.Subject != "韩梅梅，年终优惠" || !strings.Contains(p.Text, "远洋物流专享") {
		t.Fatalf("preview: %+v", p)
	}
	// Sales cannot reach another salesperson's customers, even by naming them.
	other := campaignIn("年终")
	other.Filters.Owner = "5"
	if _, err := f.s.SendCampaign(ctx, f.salesA, other); !IsCode(err, CodeInvalid) {
		t.Fatalf("campaign to salesN's customers: %v", err)
	}
	bad := campaignIn("年终")
	bad.Body = "{{.Discount}}"
	if _, err := f.s.SendCampaign(ctx, f.salesA, bad); !IsCode(err, CodeInvalid) {
		t.Fatalf("unknown placeholder: %v", err)
	}

	c, err := f.s.SendCampaign(ctx, f.salesA, campaignIn("年终"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Counts[OutboxQueued] != 2 || c.Counts[OutboxUnsubscribed] != 1 || c.NoEmail != 1 {
		t.Fatalf("queued: %+v", c)
	}
	f.send(t)
	if n := len(f.smtp.To("lilei@xinghe.cn")) + len(f.smtp.To("meimei@yuanyang.cn")); n != 1 {
		t.Fatalf("at 2 a minute, %d left in the first second, want 1", n)
	}
	f.advance(30 * time.Second)
	f.send(t)
	if len(f.smtp.To("tom@huabei.cn")) != 0 || len(f.smtp.To("w5@dongfang.cn")) != 1 || len(f.smtp.To("z6@xishan.cn")) != 0 {
		t.Fatal("campaign reached someone outside the segment")
	}
	m := f.smtp.To("meimei@yuanyang.cn")
	if len(m) != 1 || m[0].Subject() != "韩梅梅，年终优惠" || !strings.Contains(m[0].Text(), "远洋物流专享") || !strings.Contains(m[0].Text(), "salesA") {
		t.Fatalf("campaign email: %d %q", len(m), m[0].Text())
	}
	req := unsubscribeLink(t, m[0].Text())
	if err := f.s.Unsubscribe(ctx, req); err != nil {
		t.Fatal(err)
	}
	c, _ = f.s.Campaign(ctx, f.salesA, c.ID)
	if c.Counts[OutboxSent] != 2 || c.Counts[OutboxUnsubscribed] != 1 {
		t.Fatalf("log counts: %+v", c.Counts)
	}
	log, _ := f.s.CampaignLog(ctx, f.salesA, c.ID)
	if len(log) != 3 || log[0].Customer.Name == "" {
		t.Fatalf("log: %+v", log)
	}
	if _, err := f.s.Campaign(ctx, f.salesN, c.ID); !IsCode(err, CodeNotFound) {
		t.Fatalf("another team's campaign visible: %v", err)
	}
	if _, err := f.s.Campaign(ctx, f.mgr, c.ID); err != nil {
		t.Fatalf("manager cannot see the team's campaign: %v", err)
	}
	// The second campaign skips the newly unsubscribed contact.
	c2, err := f.s.SendCampaign(ctx, f.salesA, campaignIn("年终"))
	if err != nil {
		t.Fatal(err)
	}
	if c2.Counts[OutboxQueued] != 1 || c2.Counts[OutboxUnsubscribed] != 2 {
		t.Fatalf("second campaign: %+v", c2.Counts)
	}
}

func TestCampaign_UnsubscribedAfterQueueing_SkippedAtSendTime(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	_, ct := f.taggedCustomer(t, f.salesA, "星河科技", "年终", "李雷", "lilei@xinghe.cn", "")
	if _, err := f.s.SendCampaign(ctx, f.salesA, campaignIn("年终")); err != nil {
		t.Fatal(err)
	}
	// Unsubscribed by another route (e.g. an old link) before the sender ran:
	// the row is still queued in the outbox.
	if err := f.s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO unsubscribes (address, contact_id, at) VALUES (?, ?, 0)`, "lilei@xinghe.cn", ct.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if res := f.send(t); res.Unsubscribed != 1 || res.Sent != 0 {
		t.Fatalf("%+v", res)
	}
	if len(f.smtp.Messages()) != 0 {
		t.Fatal("mailed an unsubscribed contact")
	}
}

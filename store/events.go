package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Customer timeline events and pool moves are where every customer change
// already passes; recordEvent and recordMoveSideEffects turn them into
// audit rows and webhook events in the same transaction, so the audit log
// and the webhooks cannot drift from the timeline.

// eventWebhook maps a timeline kind to the webhook event it raises.
var eventWebhook = map[string]string{
	"created": EventCustomerCreated,
	"updated": EventCustomerUpdated,
}

// moveWebhook maps a pool move to its webhook event.
var moveWebhook = map[string]string{
	"claim":   EventCustomerClaimed,
	"release": EventCustomerReleased,
	"recycle": EventCustomerRecycled,
}

// movesAudited are the pool moves written to the audit log here, one row
// per customer (create, transfer and import are audited where they
// happen; a recycle pass writes one row per pool, see recyclePool — each
// recycled customer is in the pool history already).
var movesAudited = map[string]bool{"claim": true, "release": true, "assign": true}

func recordEvent(ctx context.Context, tx *sql.Tx, customerID int64, kind string, actorID int64, changes []Change, note string, at int64) error {
	if ea, ok := eventAudit[kind]; ok {
		detail := note
		if detail == "" && (ea[1] == AuditCreate || ea[1] == AuditDelete) {
			_ = tx.QueryRowContext(ctx, `SELECT name FROM customers WHERE id = ?`, customerID).Scan(&detail)
		}
		err := audit(ctx, tx, at, AuditEntry{Action: ea[1], Entity: ea[0], EntityID: customerID, Changes: changes, Detail: detail, ActorID: actorID})
		if err != nil {
			return err
		}
	}
	if ev, ok := eventWebhook[kind]; ok {
		return emitEvent(ctx, tx, time.Unix(at, 0), ev, func() any { return customerEventData(ctx, tx, customerID, changes) })
	}
	return nil
}

func customerEventData(ctx context.Context, tx *sql.Tx, customerID int64, changes []Change) map[string]any {
	data := map[string]any{"customer_id": customerID}
	var name string
	var owner sql.NullInt64
	if tx.QueryRowContext(ctx, `SELECT name, owner_id FROM customers WHERE id = ?`, customerID).Scan(&name, &owner) == nil {
		data["name"] = name
		if owner.Valid {
			data["owner_id"] = owner.Int64
		} else {
			data["owner_id"] = nil
		}
	}
	if len(changes) > 0 {
		data["changes"] = changes
	}
	return data
}

func recordMoveSideEffects(ctx context.Context, tx *sql.Tx, m poolMove) error {
	if movesAudited[m.action] {
		if err := audit(ctx, tx, m.at, moveAudit(m)); err != nil {
			return err
		}
	}
	ev, ok := moveWebhook[m.action]
	if !ok {
		return nil
	}
	return emitEvent(ctx, tx, time.Unix(m.at, 0), ev, func() any { return moveEventData(ctx, tx, m) })
}

func moveAudit(m poolMove) AuditEntry {
	return AuditEntry{Action: m.action, Entity: "customer", EntityID: m.customerID, Detail: m.reason, ActorID: m.actorID}
}

func moveEventData(ctx context.Context, tx *sql.Tx, m poolMove) map[string]any {
	data := customerEventData(ctx, tx, m.customerID, nil)
	data["pool_id"], data["reason"] = m.poolID, m.reason
	return data
}

// moveRecorder writes what recordMoveSideEffects writes for many moves of
// one action in one transaction, with the audit statement prepared once
// and the webhook subscribers looked up once. The recycle pass uses it:
// preparing two statements per customer was most of a 100,000-customer
// pass's cost.
type moveRecorder struct {
	tx     *sql.Tx
	action string
	audit  *sql.Stmt // nil when the action is not audited
	hooks  []int64   // subscribers of the action's webhook event
}

func newMoveRecorder(ctx context.Context, tx *sql.Tx, action string) (*moveRecorder, error) {
	r := &moveRecorder{tx: tx, action: action}
	if movesAudited[action] {
		stmt, err := tx.PrepareContext(ctx, auditInsert)
		if err != nil {
			return nil, err
		}
		r.audit = stmt
	}
	if ev, ok := moveWebhook[action]; ok {
		hooks, err := webhookSubscribers(ctx, tx, ev)
		if err != nil {
			r.Close()
			return nil, err
		}
		r.hooks = hooks
	}
	return r, nil
}

// active reports whether record would write anything.
func (r *moveRecorder) active() bool { return r.audit != nil || len(r.hooks) > 0 }

// record writes m's audit row and queues its webhook event.
func (r *moveRecorder) record(ctx context.Context, m poolMove) error {
	if r.audit != nil {
		for _, args := range auditInsertArgs(ctx, m.at, moveAudit(m)) {
			if _, err := r.audit.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("store: audit %s %d: %w", m.action, m.customerID, err)
			}
		}
	}
	if len(r.hooks) == 0 {
		return nil
	}
	return queueBody(ctx, r.tx, r.hooks, time.Unix(m.at, 0), moveWebhook[r.action], moveEventData(ctx, r.tx, m))
}

// Close releases the prepared statement.
func (r *moveRecorder) Close() {
	if r.audit != nil {
		r.audit.Close()
	}
}

// emitStageChange raises opportunity.stage_changed, and opportunity.won
// when the new stage wins the deal.
func emitStageChange(ctx context.Context, tx *sql.Tx, cur *Opportunity, to *Stage, status string, now time.Time) error {
	data := func() any {
		return map[string]any{"opportunity_id": cur.ID, "name": cur.Name, "customer_id": cur.Customer.ID, "amount": cur.Amount,
			"from_stage_id": cur.Stage.ID, "to_stage_id": to.ID, "status": status}
	}
	if err := emitEvent(ctx, tx, now, EventOppStageChanged, data); err != nil {
		return err
	}
	if status == OppWon {
		return emitEvent(ctx, tx, now, EventOppWon, data)
	}
	return nil
}

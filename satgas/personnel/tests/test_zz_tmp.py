import time
from satgas.personnel import importing
from satgas.personnel.tests.test_importing import run, make_csv, many_rows

def timed(name, fn):
    def wrapper(*a, **k):
        t = time.perf_counter(); r = fn(*a, **k); print(f"{name}: {time.perf_counter()-t:.2f}s"); return r
    return wrapper

def test_q(unit_a, unit_b, monkeypatch):
    for name in ["_read_table", "_plan", "_apply", "_plan_accounts", "audit_record_many", "_write_updates"]:
        monkeypatch.setattr(importing, name, timed(name, getattr(importing, name)))
    c = make_csv(many_rows(20000))
    t=time.perf_counter(); run(c, create_accounts=True); print("create", time.perf_counter()-t)
    changed = [{**r, "jabatan": "Baru", "kode_unit": "LAPAS-B"} for r in many_rows(20000)]
    t=time.perf_counter(); run(make_csv(changed)); print("moved", time.perf_counter()-t)
    changed = [{**r, "nama": r["nama"] + " S.H."} for r in changed]
    t=time.perf_counter(); run(make_csv(changed)); print("renamed", time.perf_counter()-t)

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kartoteka.contacts import demo
from kartoteka.dataio import demo as import_demo
from kartoteka.deals import demo as deals_demo
from kartoteka.dedupe import demo as dedupe_demo
from kartoteka.handover import demo as handover_demo
from kartoteka.leads import demo as leads_demo
from kartoteka.products import demo as products_demo
from kartoteka.reports import demo as reports_demo
from kartoteka.tasks import demo as tasks_demo


class Command(BaseCommand):
    help = "Load the demo client base: two sales teams, companies, contacts and a year of history (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--companies", type=int, default=200)
        parser.add_argument("--contacts", type=int, default=500)
        parser.add_argument("--leads", type=int, default=60, help="Web-form leads in every status (0: none).")
        parser.add_argument("--seed", type=int, default=2026, help="The same seed gives the same base.")

    def handle(self, *args: Any, **opts: Any) -> None:
        if demo.demo_present():
            self.stdout.write("demo data already present")
        else:
            started = time.monotonic()
            summary = demo.load_demo(companies=int(opts["companies"]), contacts=int(opts["contacts"]),
                                     seed=int(opts["seed"]))
            self.stdout.write(
                f"Demo base created in {time.monotonic() - started:.1f} s: {summary.companies} companies, "
                f"{summary.contacts} contacts, {summary.notes} notes, {summary.changes} audit records."
            )
        products = products_demo.load_catalog_demo()
        if products:
            self.stdout.write(f"Demo catalog: {products} products created.")
        deals = deals_demo.load_deals_demo(seed=int(opts["seed"]))
        if deals:
            self.stdout.write(f"Demo pipelines and {deals} deals created.")
        leads = leads_demo.load_leads_demo(leads=int(opts["leads"]), seed=int(opts["seed"]))
        if leads:
            self.stdout.write(f"Demo web forms and {leads} leads created.")
        lined = products_demo.load_lines_demo(seed=int(opts["seed"]))
        if lined:
            self.stdout.write(f"Product lines put on {lined} demo deals.")
        activities, tasks = tasks_demo.load_work_demo(seed=int(opts["seed"]))
        if tasks:
            self.stdout.write(f"Demo calls, e-mails and meetings ({activities}) and tasks ({tasks}) created.")
        regular, asked, planned = reports_demo.load_reports_demo(seed=int(opts["seed"]))
        if regular or asked:
            self.stdout.write(f"Demo regular clients ({regular} monthly deals) and unmet demand ({asked} requests).")
        if planned:
            self.stdout.write(f"Demo sales plans: {planned} (this and last month, see Reports → Sales plans).")
        twins = dedupe_demo.load_dedupe_demo()
        if twins:
            self.stdout.write(f"Demo duplicates created: {twins} (see Duplicates).")
        handed = handover_demo.load_team_demo()
        if handed:
            self.stdout.write(f"Demo team: {handed} records of a manager on leave handed over, a cover set (see Team).")
        imported = import_demo.load_import_demo()
        if imported:
            self.stdout.write(f"Demo import: {imported} contacts from an amoCRM-style file (see Imports).")
        self.stdout.write(f"Demo users (password: {demo.DEMO_PASSWORD}):")
        for user in demo.demo_users():
            self.stdout.write(f"  {user.username:<12} {user.role:<8} {str(user.team or ''):<16} {user.get_full_name()}")

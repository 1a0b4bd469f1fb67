"""The demo province across every app: the one package above the apps that may import them all.

Each app keeps its own demo builder (organizations.demo, pledges.demo, reports.demo); `seeding` runs
them in order (directive03 < organizations < pledges < reports < demo), and `seed_demo` is its command.
"""

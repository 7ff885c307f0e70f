"""The house's top floor: the pages that compose several apps (landing, leader dashboard, rep
page) and the demo command. It imports each app's public query functions; no app imports it."""

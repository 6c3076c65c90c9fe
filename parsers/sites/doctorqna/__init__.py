"""doctorqna.com: its labels, asker line, sections, chrome and article parser."""

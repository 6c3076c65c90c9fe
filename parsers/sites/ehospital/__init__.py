"""台灣e院 (Taiwan e-Hospital): its question URLs, Big5 quirks and question parser."""

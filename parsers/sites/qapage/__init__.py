"""The generic site: any page that declares schema.org ``QAPage`` data about itself."""

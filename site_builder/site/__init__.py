"""The site model (every index the pages use), the exports and the data files of the explore and graph pages."""

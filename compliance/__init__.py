"""compliance: Chinese education policy as rules-as-code."""
__version__ = "0.1.0"

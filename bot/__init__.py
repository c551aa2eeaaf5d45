"""leenwijzer package."""

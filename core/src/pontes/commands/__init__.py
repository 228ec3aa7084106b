"""Command groups the ``pontes`` command line is assembled from."""

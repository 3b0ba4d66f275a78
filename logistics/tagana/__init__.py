"""Tagana volunteers: members, trainings, deployments, vehicles and Kampung Siaga Bencana."""

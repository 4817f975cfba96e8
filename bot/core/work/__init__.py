"""Durable requests: every accepted update is kept in the store until it is answered.

The front end stores what arrives (`Store.accept_requests`) before acknowledging it, and the
`Dispatcher` takes the requests back out one conversation head at a time, under a lease that
it renews while the work runs; a process that dies leaves its leases to expire, and the work
is taken over. Nothing here knows what a request means: the front end's callback does.
"""

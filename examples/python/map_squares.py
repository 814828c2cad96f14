"""Pool.map over the network: the squares of 0..9, in order, from whichever workers are up."""
import taskmaster

with taskmaster.Client() as client:
    print(client.map("square", range(10), timeout=60))

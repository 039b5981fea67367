"""A TCP proxy that can freeze, as a database server stopped by SIGSTOP looks from outside.

Usage: freeze_proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT SECONDS FLAG_FILE

Forwards 127.0.0.1:LISTEN_PORT to TARGET. While FLAG_FILE exists it is frozen:
connections stay open, nothing is forwarded either way, new connections are accepted and
left silent; once the file is gone, what waited is forwarded. (A file rather than a
signal: a signal sent to a wrong process id would stop the test runner itself.)
It stops by itself after SECONDS.
Prints "ready" once listening. Standard library only.
"""
import asyncio
import os
import sys

thawed = asyncio.Event()
thawed.set()


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            await thawed.wait()
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except OSError:
            pass


async def handle(client_reader, client_writer, host, port):
    await thawed.wait()
    try:
        server_reader, server_writer = await asyncio.open_connection(host, port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))


async def watch(flag):
    while True:
        if os.path.exists(flag):
            thawed.clear()
        else:
            thawed.set()
        await asyncio.sleep(0.05)


async def main():
    listen, host, port, seconds, flag = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    server = await asyncio.start_server(lambda r, w: handle(r, w, host, port), "127.0.0.1", listen)
    watcher = asyncio.create_task(watch(flag))
    print("ready", flush=True)
    async with server:
        await asyncio.sleep(seconds)
    watcher.cancel()


if __name__ == "__main__":
    asyncio.run(main())

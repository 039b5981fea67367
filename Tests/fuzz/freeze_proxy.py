"""A TCP proxy that can freeze, as a database server stopped by SIGSTOP looks from outside.

Usage: freeze_proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT SECONDS

Forwards 127.0.0.1:LISTEN_PORT to TARGET. SIGUSR1 freezes it: connections stay open,
nothing is forwarded either way, new connections are accepted and left silent.
SIGUSR2 thaws it: what waited is forwarded. It stops by itself after SECONDS.
Prints "ready" once listening. Standard library only.
"""
import asyncio
import signal
import sys

frozen = asyncio.Event()  # set while frozen
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


def freeze():
    thawed.clear()


def thaw():
    thawed.set()


async def main():
    listen, host, port, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    # A child inherits its parent thread's signal mask: a test runner's threads may block these.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1, signal.SIGUSR2})
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, freeze)
    loop.add_signal_handler(signal.SIGUSR2, thaw)
    server = await asyncio.start_server(lambda r, w: handle(r, w, host, port), "127.0.0.1", listen)
    print("ready", flush=True)
    async with server:
        await asyncio.sleep(seconds)


if __name__ == "__main__":
    asyncio.run(main())

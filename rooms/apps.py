from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "rooms"
    verbose_name = "Rooms"

    def ready(self) -> None:
        from payments.ledger import conservation_check_register
        from rooms.selectors import room_ledger_conservation

        # payments stays a leaf: rooms hands its own conservation rule to the ledger check.
        conservation_check_register(room_ledger_conservation)

        from accounts.hooks import user_block_hook_add
        from rooms.services import rooms_kick_for_block_in_tx

        # A blocked player's seat is settled as a cheater's and his room sockets close.
        user_block_hook_add(rooms_kick_for_block_in_tx)

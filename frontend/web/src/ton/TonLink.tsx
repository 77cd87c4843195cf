import { useTonConnectUI, useTonWallet } from "@tonconnect/ui-react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useTonLinkMutations } from "../hooks/useWallet";
import { TonProvider } from "./provider";
import { errorText } from "../lib/errors";

/** "Link wallet": a one-time ton_proof payload from the server, the wallet signs it, the server
 * verifies the proof and saves the address. */
function Linker({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [tonConnectUI] = useTonConnectUI();
  const wallet = useTonWallet();
  const { payload: payloadMutation, verify: verifyMutation } = useTonLinkMutations();
  const requestPayload = payloadMutation.mutateAsync;
  const verifyProof = verifyMutation.mutateAsync;
  const [message, setMessage] = useState<string>(t("ton.preparing"));
  const sent = useRef(false);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        if (tonConnectUI.connected) await tonConnectUI.disconnect();
        const { payload } = await requestPayload();
        if (cancelled) return;
        tonConnectUI.setConnectRequestParameters({ state: "ready", value: { tonProof: payload } });
        setMessage(t("ton.chooseWallet"));
        await tonConnectUI.openModal();
      } catch (err) {
        if (!cancelled) setMessage(errorText(err, t));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [tonConnectUI, t, requestPayload]);

  useEffect(() => {
    const proofItem = wallet?.connectItems?.tonProof;
    if (!wallet || !proofItem || sent.current) return;
    sent.current = true;
    if (!("proof" in proofItem)) {
      queueMicrotask(() => setMessage(t("ton.proofMissing")));
      return;
    }
    const { proof } = proofItem;
    verifyProof({
      address: wallet.account.address,
      network: wallet.account.chain,
      public_key: wallet.account.publicKey ?? "",
      proof: {
        timestamp: proof.timestamp,
        domain: proof.domain,
        signature: proof.signature,
        payload: proof.payload,
        state_init: wallet.account.walletStateInit,
      },
    }).then(onDone, (err: unknown) => setMessage(errorText(err, t)));
  }, [wallet, verifyProof, onDone, t]);

  return (
    <p className="hint" data-testid="ton-link-status">
      {message}
    </p>
  );
}

export default function TonLink({ onDone }: { onDone: () => void }) {
  return (
    <TonProvider>
      <Linker onDone={onDone} />
    </TonProvider>
  );
}
